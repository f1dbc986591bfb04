"""--list-profiles: every profile with its kind, MFA device, role and cached-session expiry.

Read from the files and the cache only (no botocore), so completion and prompts can call it cheaply.
"""

from __future__ import annotations

import os
import time

from mfa_export import settings as settings_module
from mfa_export.awsconfig import AwsFiles
from mfa_export.credentials import format_utc
from mfa_export.errors import MfaExportError, UsageError
from mfa_export.request import Request
from mfa_export.session import cache_keys
from mfa_export.writeprofile import EXPIRY_KEY

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping

    from mfa_export.cache import CacheKey, SessionCache
    from mfa_export.cli import Run

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
    from mfa_export.keystore import read_index

    files = AwsFiles(environ)
    clean = {k: v for k, v in environ.items() if k not in _SELECTING}
    keyring = read_index(environ)  # the index only: listing never opens the keyring itself
    now = time.time()
    present = _entry_names(cache)
    rows = []
    for name in sorted(set(files.profile_names()) | set(keyring)):
        row, key = _describe(files, clean, name, keyring)
        if cache is not None and key is not None and os.path.basename(cache.path(key)) in present:
            left = _seconds_left(cache, key, now)
            if left:
                row["expires"], row["seconds_left"] = left
        rows.append(row)
    return rows


def _seconds_left(cache: SessionCache, key: CacheKey, now: float) -> tuple[str, int] | None:
    """(expiry, seconds left) of the live session at ``key``."""
    entry = cache.load(key, warn=False)
    if entry is None:
        return None
    left = entry["credentials"].seconds_left(now)
    return (format_utc(entry["credentials"].expiration), int(left)) if left > 0 else None


FIELDS = (
    "name",
    "kind",
    "keys",
    "mfa_serial",
    "role_arn",
    "source_profile",
    "region",
    "expires",
    "seconds_left",
    "problem",
)


def _describe(
    files: AwsFiles, clean: Mapping[str, str], name: str, keyring: dict[str, str]
) -> tuple[dict[str, object], CacheKey | None]:
    """The profile's row, and the cache key of the session it would be served (None: it has none)."""
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
        row["expires"] = files.credentials(name).get(EXPIRY_KEY)
    elif kind in ("keys", "role", "process"):
        try:
            resolved = settings_module.resolve(Request.for_profile(name), clean, files)
        except MfaExportError as exc:
            row["problem"] = exc.message
        else:
            row["mfa_serial"] = resolved.serial
            row["source_profile"] = resolved.profile if resolved.profile != name else None
            mfa_key, role_key = cache_keys(resolved)
            return row, role_key or mfa_key
    return row, None


def _entry_names(cache: SessionCache | None) -> set[str]:
    try:
        return set(os.listdir(cache.directory)) if cache is not None else set()
    except OSError:
        return set()


def run(run: Run) -> str:
    """The --list-profiles mode (modes.py)."""
    from mfa_export.cache import SessionCache, cache_dir

    if run.args.format not in ("shell", "json"):
        raise UsageError("--list-profiles prints a table or, with --format json, JSON")
    rows = describe_profiles(run.environ, SessionCache(cache_dir(run.environ), run.reporter.warning))
    for row in rows:
        if row["keys"] == "both":
            run.reporter.warning(
                f"profile {row['name']} has keys in a file and in the OS keyring; AWS tools and mfa-export "
                f"use the file's (remove one: mfa-export --remove {row['name']}, or edit the file)"
            )
    if run.args.format == "json":
        import json

        return json.dumps(rows, indent=2) + "\n"
    run.reporter.profiles(rows)
    return ""
