"""--status: is an mfa-export session active in this environment, and for how long (for prompts)."""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from mfa_export.cli import Run


def _epoch(text: str) -> float:
    """Seconds since the epoch of "2026-11-25T12:00:00Z", the form mfa-export exports, without
    datetime (its import is a tenth of a prompt's budget); any other form goes through datetime."""
    if len(text) == 20 and text[4] + text[7] + text[10] + text[13] + text[16] + text[19] == "--T::Z":
        digits = text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
        if digits.isascii() and digits.isdigit():
            year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
            hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
            if 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60:
                # days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
                y = year - (month <= 2)
                era = y // 400
                yoe = y - era * 400
                doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
                days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
                return days * 86400 + hour * 3600 + minute * 60 + second
    from mfa_export.credentials import parse_utc

    return parse_utc(text)


def session_status(environ: Mapping[str, str], now: datetime | None = None) -> tuple[str, int]:
    """(text for stdout, exit code): ("prod 11h58m", 0), ("prod expired", 1) or ("", 1)."""
    expiry = environ.get("AWS_CREDENTIAL_EXPIRATION")
    if not expiry or not environ.get("AWS_SESSION_TOKEN"):
        return "", 1
    label = environ.get("MFA_EXPORT_PROFILE") or "aws"
    try:
        left = _epoch(expiry) - (now.timestamp() if now else time.time())
    except ValueError:
        return "", 1
    if left <= 0:
        return f"{label} expired\n", 1
    hours, minutes = divmod(int(left) // 60, 60)
    return f"{label} {hours}h{minutes:02d}m\n", 0


def run(run: Run) -> str:
    """The --status mode (modes.py)."""
    text, run.exit_code = session_status(run.environ)
    return text
