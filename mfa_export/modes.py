"""What mfa-export can be asked to do, one declaration per mode: the flag that selects it, the options
it reads, the function that runs it, whether its stdout is shell code the caller evals (so a failure
prints the shell's fail statement there) and whether the `mfa` wrappers run it directly instead of
applying its output.

cli.py dispatches from this table, cli.fail_output and wrapper.py read it, and tests hold the
completions and the wrappers' passthrough to it. Adding a mode is a row here and its handler
(docs/architecture.md says how).
"""

from __future__ import annotations

from collections import namedtuple

from mfa_export.errors import UsageError
from mfa_export.options import OPTIONS

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable

    from mfa_export.cli import Run
    from mfa_export.request import Request

# Read by every mode: how much to say, and which shell the caller is (the wrappers always pass it).
COMMON = ("quiet", "debug", "shell")
# What an export reads; --rotate gets its MFA session the same way.
SESSION = ("code", "serial_number", "code_command", "force_mfa", "profile", "region", "min_ttl", "no_cache")
EXPORT = (*SESSION, "duration", "force", "role_arn", "format", "write_profile")


class Mode(namedtuple("Mode", "name flag options handler evaled passthrough")):
    __slots__ = ()

    if TYPE_CHECKING:
        name: str
        flag: str | None  # the option that selects it (None: the export, when no other is given)
        options: tuple[str, ...]  # the dests it reads, beyond COMMON and its own flag
        handler: str | None  # "module:function" taking the Run, returning stdout; None: argparse answers
        evaled: bool  # stdout is shell code for eval: a failure prints the shell's fail statement
        passthrough: bool  # the `mfa` wrapper runs `mfa-export ARGS` itself, with the terminal as stdout

    @property
    def dest(self) -> str | None:
        return self.flag.lstrip("-").replace("-", "_") if self.flag else None

    def run(self, run: Run) -> str:
        assert self.handler is not None  # --help and --version end inside argparse
        module, _, function = self.handler.partition(":")
        import importlib

        found: Callable[[Run], str] = getattr(importlib.import_module(module), function)
        return found(run)


MODES = (
    Mode("export", None, EXPORT, "mfa_export.exporting:export", evaled=True, passthrough=False),
    Mode("unset", "--unset", ("format",), "mfa_export.exporting:unset", evaled=True, passthrough=False),
    Mode("status", "--status", (), "mfa_export.status:run", evaled=False, passthrough=True),
    Mode("init", "--init", ("cmd",), "mfa_export.init:run", evaled=False, passthrough=True),
    Mode("list-profiles", "--list-profiles", ("format",), "mfa_export.profiles:run", evaled=False, passthrough=True),
    Mode("clear-cache", "--clear-cache", ("profile",), "mfa_export.cache:run_clear", evaled=False, passthrough=True),
    Mode("complete", "--complete", (), "mfa_export.completion:run", evaled=False, passthrough=True),
    Mode("add", "--add", (), "mfa_export.keycommands:run_add", evaled=False, passthrough=True),
    Mode("remove", "--remove", ("yes",), "mfa_export.keycommands:run_remove", evaled=False, passthrough=True),
    Mode("rotate", "--rotate", SESSION, "mfa_export.keycommands:run_rotate", evaled=False, passthrough=True),
    Mode("help", "--help", (), None, evaled=False, passthrough=True),
    Mode("version", "--version", (), None, evaled=False, passthrough=True),
)
BY_NAME = {mode.name: mode for mode in MODES}

# Options whose use turns an export into something that is not code for the shell: the wrappers
# run those directly too (with "--": the command; a format other than shell).
EXPORT_PASSTHROUGH = ("--write-profile",)


def passthrough_flags() -> set[str]:
    """Every spelling of the flags whose run the wrappers pass through (-h as well as --help)."""
    flags = set(EXPORT_PASSTHROUGH) | {"-h"}
    for mode in MODES:
        if mode.passthrough and mode.flag:
            flags.add(mode.flag)
            for option in OPTIONS:
                if mode.flag in option.flags:
                    flags.update(option.flags)
    return flags


def select(request: Request) -> Mode:
    """The mode the request asks for; a UsageError for two at once, or an option the mode would ignore."""
    chosen = [mode for mode in MODES if mode.dest and mode.handler and getattr(request, mode.dest)]
    if len(chosen) > 1:
        raise UsageError(" and ".join(mode.flag or mode.name for mode in chosen) + " do not go together")
    mode = chosen[0] if chosen else BY_NAME["export"]
    allowed = {*COMMON, *mode.options, mode.dest}
    ignored = [dest for dest in request.given() if dest not in allowed]
    if request.command is not None and mode.name != "export":
        ignored.append("command")
    if ignored:
        flags = [_flag(dest) for dest in ignored]
        if mode.flag:
            raise UsageError(f"{mode.flag} and {' and '.join(flags)} do not go together", "see mfa-export --help")
        users = [other.flag for other in MODES if other.flag and ignored[0] in other.options]
        raise UsageError(f"{flags[0]} goes only with {' or '.join(users)}", "see mfa-export --help")
    return mode


def _flag(dest: str) -> str:
    if dest == "command":
        return "-- COMMAND"
    if dest == "code":
        return "CODE"
    option = next(option for option in OPTIONS if option.dest == dest)
    return next(flag for flag in option.flags if flag.startswith("--"))
