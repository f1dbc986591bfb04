"""What the user asked for: the command line read once (argparse, from options.OPTIONS) into one typed
object that settings and every mode read."""

from __future__ import annotations

from mfa_export.errors import UsageError
from mfa_export.options import OPTIONS, build_parser

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Sequence

_STORED = tuple(option for option in OPTIONS if option.keywords.get("action") != "version")  # what argparse keeps
_FIELDS = tuple((option.dest, option.default) for option in _STORED)  # (dest, default), worked out once
_DESTS = tuple(dest for dest, _ in _FIELDS)


class Request:
    """One field per option of options.OPTIONS (same name as argparse's dest), and the command."""

    __slots__ = (*_DESTS, "command")

    if TYPE_CHECKING:  # the fields' types, for mypy: argparse's Namespace has none
        code: str | None
        serial_number: str | None
        duration: str | None
        code_command: str | None
        force: bool
        force_mfa: bool
        profile: str | None
        role_arn: str | None
        region: str | None
        list_profiles: bool
        format: str
        shell: str | None
        unset: bool
        write_profile: str | None
        init: str | None
        cmd: str
        status: bool
        complete: str | None
        min_ttl: str
        no_cache: bool
        clear_cache: bool
        add: str | None
        remove: str | None
        rotate: str | None
        yes: bool
        quiet: bool
        debug: bool
        command: list[str] | None  # after "--": run it with the session instead of printing code

    def __init__(self, command: list[str] | None = None, **values: object) -> None:
        for dest, default in _FIELDS:
            setattr(self, dest, values.pop(dest, default))
        if values:
            raise TypeError(f"not options: {sorted(values)}")
        self.command = command

    @classmethod
    def for_profile(cls, profile: str) -> Request:
        """What `mfa-export -p PROFILE` asks: how --list-profiles and --clear-cache resolve a profile."""
        return cls(profile=profile)

    def given(self) -> list[str]:
        """The dests of the options set to anything but their default, in declaration order."""
        return [dest for dest, default in _FIELDS if getattr(self, dest) != default]

    def __repr__(self) -> str:
        return "Request(" + ", ".join(f"{dest}={getattr(self, dest)!r}" for dest in self.given()) + ")"


def parse(argv: Sequence[str], command: list[str] | None = None) -> Request:
    """The Request for ``argv`` (everything before "--"); a UsageError (exit 2) for anything argparse
    refuses, and for an option whose value is "--"."""
    namespace = build_parser().parse_args(list(argv))
    for option in _STORED:
        value = getattr(namespace, option.dest)
        # argparse reads --profile=-- as [] on Python 3.9-3.12 and as "--" from 3.13 on: no value either way.
        if option.takes_value and (isinstance(value, list) or value == "--"):
            flag = next(flag for flag in option.flags if flag.startswith("--"))
            raise UsageError(f"{flag} needs a value, and '--' is not one", "put -- COMMAND after the options")
    return Request(command, **vars(namespace))
