"""The protocol between mfa-export and the `mfa` wrappers in shell/: `mfa-export --wrapped SHELL ARGS`.

A wrapper always applies what this prints (after checking the exit status where its shell can). For an
export or --unset that is the usual code; for anything else (--help, --status, -- COMMAND, -f json,
...) it is a statement that runs `mfa-export ARGS` directly, with the terminal as its stdout. So the
wrappers stay a few lines each, and which arguments mean "not an export" is decided here, once.
"""

from mfa_export.errors import UsageError

WRAPPED = "--wrapped"

# Flags whose output is not code for the shell to apply.
_PASSTHROUGH = {"-h", "--help", "--version", "--list-profiles", "--clear-cache", "--status", "--init",
                "--write-profile"}


def split_wrapped(argv):
    """(shell name, the user's arguments) for `--wrapped SHELL ARGS`, or (None, argv)."""
    if not argv or argv[0] != WRAPPED:
        return None, argv
    if len(argv) < 2:
        raise UsageError("--wrapped needs a shell name", "use the wrapper from mfa-export --init SHELL")
    return argv[1], argv[2:]


def needs_passthrough(args):
    for index, arg in enumerate(args):
        if arg == "--" or arg in _PASSTHROUGH or arg.startswith(("--init=", "--write-profile=")):
            return True
        if arg in ("-f", "--format"):
            if index + 1 >= len(args) or args[index + 1] != "shell":
                return True
        elif arg.startswith("--format=") or (arg.startswith("-f") and not arg.startswith("--")):
            value = arg[len("--format="):] if arg.startswith("--format=") else arg[len("-f"):]
            if value != "shell":
                return True
    return False
