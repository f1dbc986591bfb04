"""--status: is an mfa-export session active in this environment, and for how long (for prompts)."""

from __future__ import annotations

from datetime import datetime, timezone

from mfa_export.credentials import parse_utc

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping


def session_status(environ: Mapping[str, str], now: datetime | None = None) -> tuple[str, int]:
    """(text for stdout, exit code): ("prod 11h58m", 0), ("prod expired", 1) or ("", 1)."""
    expiry = environ.get("AWS_CREDENTIAL_EXPIRATION")
    if not expiry or not environ.get("AWS_SESSION_TOKEN"):
        return "", 1
    label = environ.get("MFA_EXPORT_PROFILE") or "aws"
    try:
        left = (parse_utc(expiry) - (now or datetime.now(timezone.utc))).total_seconds()
    except ValueError:
        return "", 1
    if left <= 0:
        return f"{label} expired\n", 1
    hours, minutes = divmod(int(left) // 60, 60)
    return f"{label} {hours}h{minutes:02d}m\n", 0
