"""--list-profiles: every profile with its kind, MFA device, role and cached-session expiry.

Read from the files and the cache only (no botocore), so completion and prompts can call it cheaply.
"""

from __future__ import annotations

from datetime import datetime, timezone

from mfa_export import settings as settings_module
from mfa_export.argv import DEFAULTS, Args
from mfa_export.awsconfig import AwsFiles
from mfa_export.credentials import format_utc
from mfa_export.errors import MfaExportError
from mfa_export.session import cache_keys
from mfa_export.writeprofile import EXPIRY_KEY

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from mfa_export.cache import SessionCache
    from mfa_export.settings import Settings

# Variables that would make every profile resolve the same way; each profile is asked for by name.
_SELECTING = ("AWS_PROFILE", "MFA_EXPORT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _keys(files: AwsFiles, name: str, keyring: dict[str, str]) -> str:
    """Where the profile's long-term keys live: file, keyring, both (the file wins) or none."""
    in_file = bool(files.credentials(name).get("aws_access_key_id") or files.config(name).get("aws_access_key_id"))
    in_keyring = name in keyring
    return "both" if in_file and in_keyring else "file" if in_file else "keyring" if in_keyring else "none"


def _kind(files: AwsFiles, name: str, keys: str) -> str:
    config, creds = files.config(name), files.credentials(name)
    if config.get("role_arn"):
        return "role"
    if creds.get("aws_session_token") or config.get("aws_session_token"):
        return "session"
    if keys != "none":
        return "keys"
    if config.get("credential_process"):
        return "process"
    if config.get("sso_session") or config.get("sso_start_url"):
        return "sso"
    return "config"


def describe_profiles(environ: Mapping[str, str], cache: SessionCache | None) -> list[dict[str, object]]:
    files = AwsFiles(environ)
    clean = {k: v for k, v in environ.items() if k not in _SELECTING}
    now = datetime.now(timezone.utc)
    rows: list[dict[str, object]] = []
    from mfa_export.keystore import read_index

    keyring = read_index(environ)  # the index only: listing never opens the keyring itself
    for name in sorted(set(files.profile_names()) | set(keyring)):
        keys = _keys(files, name, keyring)
        kind = _kind(files, name, keys)
        row: dict[str, object] = {
            "name": name,
            "kind": kind,
            "keys": keys,
            "mfa_serial": None,
            "role_arn": files.config(name).get("role_arn"),
            "source_profile": None,
            "region": files.config(name).get("region"),
            "expires": None,
            "seconds_left": None,
            "problem": None,
        }
        if kind == "session":
            expiry = files.credentials(name).get(EXPIRY_KEY)
            row["expires"] = expiry
        elif kind in ("keys", "role", "process"):
            try:
                resolved = settings_module.resolve(
                    Args(dict(DEFAULTS, profile=name)),
                    clean,
                    files,
                )
            except MfaExportError as exc:
                row["problem"] = exc.message
            else:
                row["mfa_serial"] = resolved.serial
                row["source_profile"] = resolved.profile if resolved.profile != name else None
                entry = _cached(cache, resolved)
                if entry is not None:
                    left = entry["credentials"].seconds_left(now)
                    if left > 0:
                        row["expires"] = format_utc(entry["credentials"].expiration)
                        row["seconds_left"] = int(left)
        rows.append(row)
    return rows


def _cached(cache: SessionCache | None, resolved: Settings) -> dict[str, Any] | None:
    if cache is None:
        return None
    mfa_key, role_key = cache_keys(resolved)
    return cache.load(role_key or mfa_key, warn=False)
