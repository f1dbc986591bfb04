"""The command line of a plain run, read without argparse.

argparse and what it pulls in (gettext, locale, shutil with bz2 and lzma) cost more than the whole
rest of a cached run; building the parser costs as much again. Most runs are plain: a code, -p,
--shell, -q, the wrapper's --wrapped. quick_parse() reads exactly those spellings that argparse reads
the same way and returns None for anything else (--help, an unknown or abbreviated flag, a clustered
or attached short option, a value that starts with "-", a second CODE, a bad choice), which then goes
to argparse, the one authority on errors (a lone --help is written by helptext.py, in argparse's
layout). tests/test_argv.py checks the two agree on every command line quick_parse() accepts.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

# dest: default, for every option of options.build_parser() (a test compares them with argparse's)
DEFAULTS: dict[str, object] = {
    "code": None,
    "serial_number": None,
    "duration": None,
    "code_command": None,
    "force": False,
    "force_mfa": False,
    "profile": None,
    "role_arn": None,
    "region": None,
    "list_profiles": False,
    "format": "shell",
    "shell": None,
    "unset": False,
    "write_profile": None,
    "init": None,
    "cmd": "mfa",
    "status": False,
    "complete": None,
    "min_ttl": "15m",
    "no_cache": False,
    "clear_cache": False,
    "add": None,
    "remove": None,
    "rotate": None,
    "yes": False,
    "quiet": False,
    "debug": False,
}
# flag: dest, for the options that take no value
SWITCHES = {
    "--force": "force",
    "--force-mfa": "force_mfa",
    "--list-profiles": "list_profiles",
    "--unset": "unset",
    "--status": "status",
    "--no-cache": "no_cache",
    "--clear-cache": "clear_cache",
    "-q": "quiet",
    "--quiet": "quiet",
    "--debug": "debug",
    "--yes": "yes",
}
# flag: dest, for the options that take one value
VALUED = {
    "-s": "serial_number",
    "--serial-number": "serial_number",
    "-d": "duration",
    "--duration": "duration",
    "--code-command": "code_command",
    "-p": "profile",
    "--profile": "profile",
    "--role-arn": "role_arn",
    "--region": "region",
    "-f": "format",
    "--format": "format",
    "--shell": "shell",
    "--write-profile": "write_profile",
    "--init": "init",
    "--cmd": "cmd",
    "--complete": "complete",
    "--min-ttl": "min_ttl",
    "--add": "add",
    "--remove": "remove",
    "--rotate": "rotate",
}
CHOICES = {
    "format": ("shell", "json", "dotenv", "github"),
    "complete": ("profiles", "shells", "init-shells", "formats"),
}


class Args:
    """What argparse's Namespace would hold (attribute access only)."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...

    def __repr__(self) -> str:
        return f"Args({self.__dict__!r})"


def quick_parse(argv: Sequence[str]) -> Args | None:
    values = dict(DEFAULTS)
    seen_code = False
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg in SWITCHES:
            values[SWITCHES[arg]] = True
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in VALUED:
            if not equals:
                if index >= len(argv) or argv[index].startswith("-"):
                    return None  # argparse decides what a leading "-" means
                value = argv[index]
                index += 1
            dest = VALUED[name]
            if dest in CHOICES and value not in CHOICES[dest]:
                return None
            values[dest] = value
            continue
        if arg.startswith("-") and arg != "-":
            return None  # --help, --version, unknown, abbreviated, clustered or attached
        if seen_code:
            return None  # argparse's "unrecognized arguments"
        values["code"] = arg
        seen_code = True
    return Args(values)
