"""The command line's options, declared once, in the order --help shows them.

Each option is declared as a call ``group(TITLE)(*flags, **argparse keywords)``. ``OPTIONS`` holds
what was declared; argparse builds its parser from it (``build_parser``), the modes (modes.py) name
the options each reads, and the wrapper protocol (wrapper.py) and the completions' test read which
flags take a value from it.
"""

from __future__ import annotations

import os
import sys
from collections import namedtuple

from mfa_export import __version__
from mfa_export.errors import UsageError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import NoReturn

PROG = "mfa-export"
USAGE = "%(prog)s [CODE] [options] [-- COMMAND [ARG...]]"
DESCRIPTION = (
    "Turn an AWS MFA code into temporary MFA-authenticated credentials, printed as code for the calling shell to eval."
)
SUPPRESS = "==SUPPRESS=="  # argparse.SUPPRESS: an option --help does not show

EPILOG = """\
set up the `mfa` command (one line in your rc file; then: mfa 123456, mfa, mfa --unset):
  bash/zsh/sh/ksh   eval "$(mfa-export --init bash)"      (or zsh, sh, ksh, ...)
  fish              mfa-export --init fish | source
  tcsh/csh          eval "`mfa-export --init tcsh`"
  PowerShell        mfa-export --init pwsh | Out-String | Invoke-Expression
  elvish            eval (mfa-export --init elvish | slurp)
  xonsh             execx($(mfa-export --init xonsh))
  nushell           mfa-export --init nu | save -f ($nu.default-config-dir | path join mfa-export.nu)
                    and `source mfa-export.nu` in config.nu

apply the output in the calling shell:
  bash/zsh/sh/ksh   eval "$(mfa-export 123456)"
  fish              mfa-export 123456 | source
  tcsh/csh          eval "`mfa-export 123456`"
  PowerShell        mfa-export 123456 | Out-String | Invoke-Expression
  elvish            eval (mfa-export 123456 | slurp)
  xonsh             execx($(mfa-export 123456))
  nushell           mfa-export 123456 | from json | load-env

exit codes:
  0    ok
  2    usage or bad input (including: no code given and no terminal to ask)
  3    configuration: profile, MFA device or keys missing; the code command failed
  4    AWS refused: wrong or reused code, wrong key, wrong device, role not assumable
  5    network or service: unreachable, timeout ($MFA_EXPORT_TIMEOUT, default 30s), 5xx, throttled,
       an answer that is not STS's; another run's lock timed out
  6    the shell or format cannot represent the output
  130  interrupted (129 SIGHUP, 143 SIGTERM)
  with -- COMMAND: the command's own status (127: not found)
On failure stdout holds only a statement that makes the caller's eval fail.

run a command with the session instead of printing code:
  mfa-export 123456 -- terraform apply
  mfa-export -- "$SHELL"
"""


FORMATS = ("shell", "json", "dotenv", "github")
COMPLETIONS = ("profiles", "shells", "init-shells", "formats")  # what --complete lists


def columns() -> int:
    """What shutil.get_terminal_size().columns gives argparse: $COLUMNS, else stdout's terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def declare(group: Callable[[str], Callable[..., object]]) -> None:
    """Every option but -h/--help, group by group, as argparse's add_argument takes them."""
    session = group("the MFA session")
    session(
        "code",
        nargs="?",
        metavar="CODE",
        help='6-digit MFA code; "-" reads it from stdin; omitted: a cached session, else the '
        "code command, else a prompt on the terminal",
    )
    session(
        "-s",
        "--serial-number",
        metavar="SN",
        help="MFA device serial or ARN (default: profile mfa_serial, aws_arn_mfa, "
        "$AWS_MFA_SERIAL, else iam:ListMFADevices)",
    )
    session(
        "-d",
        "--duration",
        metavar="D",
        help="lifetime of the exported session: seconds or 15m/12h/1h30m; 900..129600 "
        "(default 12h; roles: duration_seconds or 1h; a role asked for more than 1h needs a code of its "
        "own, up to the role's maximum; 1h for a chain)",
    )
    session(
        "--code-command", metavar="CMD", help="command that prints the MFA code (default: the profile's mfa_process)"
    )
    session(
        "--force",
        action="store_true",
        help="renew what is exported (for a role: a new AssumeRole signed by the cached MFA session, no code)",
    )
    session("--force-mfa", action="store_true", help="renew the MFA session too (needs a code), then what is exported")
    roles = group("profiles and roles")
    roles(
        "-p",
        "--profile",
        metavar="NAME",
        help="profile: one with access keys, or a role profile (role_arn + source_profile); "
        "default $AWS_PROFILE, then $MFA_EXPORT_PROFILE, then default",
    )
    roles(
        "--role-arn", metavar="ARN", help="assume this role with the MFA session (after the profile's own role, if any)"
    )
    roles("--region", metavar="R", help="region to export (default: the profile's region)")
    roles(
        "--list-profiles",
        action="store_true",
        help="list profiles with their MFA device, role and cached session (JSON with -f json)",
    )
    output = group("output")
    output(
        "-f",
        "--format",
        default="shell",
        choices=FORMATS,
        metavar="F",
        help="shell (default); json (credential_process v1); dotenv (KEY=value lines); github "
        "(append to $GITHUB_ENV, print ::add-mask:: for the secrets)",
    )
    output(
        "--shell",
        metavar="NAME",
        help="bash zsh sh dash ksh mksh ash yash fish tcsh csh pwsh powershell elvish "
        "xonsh nu cmd (default $MFA_EXPORT_SHELL, else detected)",
    )
    output("--unset", action="store_true", help="print code that removes everything mfa-export sets")
    output(
        "--write-profile",
        metavar="NAME",
        help="store the session as [NAME] in the shared credentials file instead of printing it",
    )
    integration = group("shell integration")
    integration(
        "--init",
        metavar="SHELL",
        help='print the `mfa` wrapper (and completion) for SHELL: eval "$(mfa-export --init bash)"',
    )
    integration("--cmd", metavar="NAME", default="mfa", help="with --init: name the wrapper NAME, not mfa")
    integration(
        "--status",
        action="store_true",
        help="print the active session's profile and time left (exit 0), or nothing (exit 1)",
    )
    integration("--complete", choices=COMPLETIONS, help=SUPPRESS)
    cache = group("cache")
    cache(
        "--min-ttl",
        metavar="D",
        default="15m",
        help="reuse a cached session only with more than this left (default 15m)",
    )
    cache("--no-cache", action="store_true", help="neither read nor write the session cache")
    cache("--clear-cache", action="store_true", help="remove cached sessions (only the profile's with -p) and exit")
    keys = group("long-term keys in the OS keyring")
    keys(
        "--add",
        metavar="PROFILE",
        help="store PROFILE's access keys in the OS keyring (from the credentials file, which then loses "
        "them, or typed on the terminal), after checking they work",
    )
    keys("--remove", metavar="PROFILE", help="delete PROFILE's keys from the OS keyring")
    keys(
        "--rotate",
        metavar="PROFILE",
        help="new access key for PROFILE's IAM user, stored where the old one was, then the old one deleted "
        "(needs an MFA session: CODE, cached, or asked)",
    )
    keys("--yes", action="store_true", help="with --remove: no question on the terminal")
    diagnostics = group("diagnostics")
    diagnostics("-q", "--quiet", action="store_true", help="no summary on stderr (errors still show)")
    diagnostics("--debug", action="store_true", help="tracebacks and HTTP debug on stderr, secrets masked")
    diagnostics("--version", action="version", version=f"mfa-export {__version__}")


class Option(namedtuple("Option", "flags group keywords")):
    """One declared option: its flags (or positional name), its --help group, add_argument's keywords."""

    __slots__ = ()

    if TYPE_CHECKING:
        flags: tuple[str, ...]
        group: str
        keywords: dict[str, object]

    @property
    def dest(self) -> str:
        first = next((flag for flag in self.flags if flag.startswith("--")), self.flags[0])
        return first.lstrip("-").replace("-", "_")

    @property
    def takes_value(self) -> bool:
        """Whether the option reads a value from the command line (positional CODE aside)."""
        return self.flags[0].startswith("-") and self.keywords.get("action") not in ("store_true", "version")

    @property
    def default(self) -> object:
        return self.keywords.get("default", False if self.keywords.get("action") == "store_true" else None)


def _declared() -> tuple[Option, ...]:
    options: list[Option] = []

    def group(title: str) -> Callable[..., None]:
        def option(*flags: str, **keywords: object) -> None:
            options.append(Option(flags, title, keywords))

        return option

    declare(group)
    return tuple(options)


def build_parser() -> argparse.ArgumentParser:
    """The parser for every command line, built from OPTIONS."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(message, "see mfa-export --help")

    class _Formatter(argparse.RawDescriptionHelpFormatter):
        # argparse asks shutil for the width (also when add_argument checks a metavar), and shutil
        # brings bz2, lzma and fnmatch: os answers the same question, $COLUMNS first.
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
            super().__init__(prog, indent_increment, max_help_position, columns() - 2 if width is None else width)

    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,  # a flag means one thing, now and after new flags arrive
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_Formatter,  # the epilog's tables are laid out by hand
    )
    groups: dict[str, argparse._ArgumentGroup] = {}
    for option in OPTIONS:
        if option.group not in groups:
            groups[option.group] = parser.add_argument_group(option.group)
        keywords = dict(option.keywords)
        if keywords.get("help") == SUPPRESS:
            keywords["help"] = argparse.SUPPRESS  # argparse tells it by identity, not by value
        groups[option.group].add_argument(*option.flags, **keywords)  # type: ignore[arg-type]
    return parser


OPTIONS = _declared()
VALUED_FLAGS = frozenset(flag for option in OPTIONS if option.takes_value for flag in option.flags)
