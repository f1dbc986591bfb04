"""The protocol between mfa-export and the `mfa` wrappers in shell/: `mfa-export --wrapped SHELL:NAME ARGS`.

NAME is the wrapper's own name (`mfa`, or what `--init SHELL --cmd NAME` renamed it to), so advice in
messages names the command the user typed. A bare `--wrapped SHELL` (wrappers loaded before NAME was
added) means `mfa`.

A wrapper always applies what this prints (after checking the exit status where its shell can). For an
export or --unset that is the usual code; for anything else (--help, --status, -- COMMAND, -f json,
...) it is a statement that runs `mfa-export ARGS` directly, with the terminal as its stdout. So the
wrappers stay a few lines each, and which arguments mean "not an export" is decided here, once.
"""

from __future__ import annotations

from mfa_export.errors import UsageError
from mfa_export.modes import passthrough_flags
from mfa_export.options import VALUED_FLAGS

WRAPPED = "--wrapped"

# Flags whose output is not code for the shell to apply: the modes that say so (modes.py), and
# --write-profile; values of the flags of these that take one may be attached with "=".
_PASSTHROUGH = passthrough_flags()
_ATTACHED = tuple(f"{flag}=" for flag in sorted(_PASSTHROUGH & VALUED_FLAGS) if flag.startswith("--"))


def split_wrapped(argv: list[str]) -> tuple[str | None, str, list[str]]:
    """(shell name, wrapper name, the user's arguments) for `--wrapped SHELL[:NAME] ARGS`, or
    (None, "mfa-export", argv)."""
    if not argv or argv[0] != WRAPPED:
        return None, "mfa-export", argv
    if len(argv) < 2:
        raise UsageError("--wrapped needs a shell name", "use the wrapper from mfa-export --init SHELL")
    shell, _, name = argv[1].partition(":")
    if not name.replace("_", "a").isalnum() or not name.isascii() or name[0].isdigit():
        name = "mfa"
    return shell, name, argv[2:]


# Short options that take a value (the rest of the cluster, or the next argument).
_SHORT_WITH_VALUE = {flag[1] for flag in VALUED_FLAGS if len(flag) == 2}


def needs_passthrough(args: list[str]) -> bool:
    """Whether ``args`` ask for anything but export code, in any spelling argparse might accept or
    refuse: ``-qh``, ``-hq``, ``--he`` (an abbreviation argparse refuses: it then prints its error to
    the terminal, where it belongs), ``-qf json``, ``-fjson``, ``--format=json``."""
    index = 0
    while index < len(args):
        arg = args[index]
        following = args[index + 1] if index + 1 < len(args) else None
        if arg == "--" or arg in _PASSTHROUGH or arg.startswith(_ATTACHED):
            return True
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            if len(name) >= 3 and ("--help".startswith(name) or "--version".startswith(name)):
                return True
            if name == "--format":
                value = arg.split("=", 1)[1] if "=" in arg else following
                if value != "shell":
                    return True
                index += 0 if "=" in arg else 1
        elif arg.startswith("-") and len(arg) > 1:
            for at, letter in enumerate(arg[1:], start=1):
                if letter == "h":
                    return True
                if letter in _SHORT_WITH_VALUE:
                    value = arg[at + 1 :] or following
                    if letter == "f" and value != "shell":
                        return True
                    if not arg[at + 1 :]:
                        index += 1  # the next argument was this option's value
                    break
        index += 1
    return False
