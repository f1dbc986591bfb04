"""Local validation of what the user typed, done before any network call or boto3 import.

botocore checks only lengths, so "abcdef" or a duration of 999999 would otherwise reach AWS (sts.md).
"""

from __future__ import annotations

from mfa_export.errors import ConfigError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping

    from mfa_export.errors import MfaExportError

MIN_DURATION = 900
MAX_DURATION = 129600
DEFAULT_DURATION = 43200

# The checks every run makes are character sets, not regular expressions: compiling a pattern costs
# more than a cached run can spare. ``text.strip(ALLOWED) == ""`` holds when text uses only ALLOWED.
_DIGITS = "0123456789"
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + _DIGITS
_SERIAL_CHARS = _ALNUM + "_+=/:,.@-"  # STS: [\w+=/:,.@-]{9,256}
_ROLE_NAME_CHARS = _ALNUM + "_+=,.@/-"  # IAM: [\w+=,.@/-]{1,512} after role/
_SESSION_NAME_CHARS = _ALNUM + "_+=,.@-"  # STS: [\w+=,.@-]{2,64}


def _made_of(text: str, allowed: str) -> bool:
    return text.strip(allowed) == ""


def _is_region(text: str) -> bool:
    """botocore's own rule for a region: one DNS label, since it becomes part of the endpoint's host
    name: [a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"""
    return 0 < len(text) <= 63 and _made_of(text, _ALNUM + "-") and text[0] != "-" and text[-1] != "-"


def parse_code(text: str) -> str:
    """Return the 6-digit code, tolerating the spaces authenticator apps show ("123 456")."""
    code = "".join(text.split())
    if not (len(code) == 6 and _made_of(code, _DIGITS)):
        raise UsageError(
            "the MFA code must be exactly 6 digits",
            "pass the code your authenticator shows, e.g. mfa-export 123456",
        )
    return code


def parse_span(text: str, what: str = "duration") -> int:
    """Seconds from "3600", "15m", "12h", "1h30m" or "90m30s"."""
    text = text.strip().lower()
    if text.isascii() and text.isdigit():  # not "²", which isdigit() accepts and int() refuses
        return int(text)
    parts = _span_parts(text)
    if parts:
        return parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
    raise UsageError(f"{what} {text!r} is not understood", "use seconds or a form like 15m, 12h, 1h30m")


def _span_parts(text: str) -> dict[str, int]:
    """{"h": 1, "m": 30} from "1h30m": the pattern (?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?, read
    without re; {} when the text is not that or is empty."""
    parts = {}
    rest = text
    for unit in "hms":
        number, found, after = rest.partition(unit)
        if found and number and _made_of(number, _DIGITS):
            parts[unit] = int(number)
            rest = after
    return parts if rest == "" else {}


def is_role_arn(text: str) -> bool:
    """IAM's role ARN: arn:aws[\\w-]*:iam::ACCOUNT:role/[PATH/]NAME, ASCII only."""
    parts = text.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[1].startswith("aws")
        and _made_of(parts[1], _ALNUM + "_-")
        and parts[2:4] == ["iam", ""]
        and len(parts[4]) == 12
        and _made_of(parts[4], _DIGITS)
        and parts[5].startswith("role/")
        and 1 <= len(parts[5]) - len("role/") <= 512
        and _made_of(parts[5], _ROLE_NAME_CHARS)
    )


def is_session_name(text: str) -> bool:
    """STS's role session name: 2 to 64 of letters, digits and +=,.@_-."""
    return 2 <= len(text) <= 64 and _made_of(text, _SESSION_NAME_CHARS)


def check_region(region: str, source: str, error: type[MfaExportError] = UsageError) -> str:
    """``region`` if it can stand in an endpoint's host name, as botocore requires."""
    if not _is_region(region):
        raise error(
            f"region {region!r} (from {source}) is not a region name",
            "expected e.g. eu-west-1; check for stray spaces or a carriage return",
        )
    return region


def seconds_from_env(environ: Mapping[str, str], name: str, default: float, maximum: float = 86400.0) -> float:
    """A timeout from the environment: a finite number of seconds above 0 and at most ``maximum``."""
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not 0 < value <= maximum:  # also refuses nan and inf
        raise ConfigError(
            f"${name} is {raw!r}, not a number of seconds",
            f"set it between 0 and {maximum:.0f}, or unset it for the default ({default:.0f})",
        )
    return value


def parse_duration(text: str) -> int:
    """A session lifetime, checked against STS's limits."""
    seconds = parse_span(text)
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise UsageError(
            f"duration {text.strip()} ({seconds}s) is outside what STS allows",
            "choose between 15m (900) and 36h (129600)",
        )
    return seconds


def check_serial(serial: str, source: str, error: type[MfaExportError] = UsageError) -> str:
    """Return ``serial`` if STS could accept it as an MFA serial number or device ARN."""
    if not (9 <= len(serial) <= 256 and _made_of(serial, _SERIAL_CHARS)):
        raise error(
            f"MFA device {serial!r} (from {source}) is not a serial number or device ARN",
            "expected e.g. arn:aws:iam::123456789012:mfa/alice or GAHT12345678",
        )
    return serial
