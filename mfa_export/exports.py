"""Which variables an export sets and unsets, in the fixed order design.md gives."""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from mfa_export.credentials import Credentials

    Plan = list[tuple[str, str | None]]

# Removed on every export: some SDKs prefer a profile over keys, and AWS_SECURITY_TOKEN is the
# legacy name of the session token that stale tooling still reads.
CLEARED_ON_EXPORT = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")

# The values that are secrets: masked on a terminal, ::add-mask::-ed in GitHub Actions.
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

# What --unset removes: everything an export sets except the region, which is the user's.
CLEARED_ON_UNSET = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "MFA_EXPORT_PROFILE",
)


def export_plan(credentials: Credentials, region: str | None, profile: str | None) -> Plan:
    """[(name, value or None for unset)] for a successful export."""
    from mfa_export.credentials import format_utc  # here: --unset never needs datetime

    plan: Plan = [
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id),
        ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key),
        ("AWS_SESSION_TOKEN", credentials.session_token),
        ("AWS_CREDENTIAL_EXPIRATION", format_utc(credentials.expiration)),
    ]
    if region:
        plan += [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
    # With keys from the environment there is no profile a refresh could repeat.
    plan.append(("MFA_EXPORT_PROFILE", profile))
    plan += [(name, None) for name in CLEARED_ON_EXPORT]
    return plan


def unset_plan() -> Plan:
    return [(name, None) for name in CLEARED_ON_UNSET]
