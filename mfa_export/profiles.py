"""--list-profiles: every profile with its kind, MFA device, role and cached-session expiry.

Read from the files and the cache only (no botocore), so completion and prompts can call it cheaply.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone

from mfa_export import jsonlite
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

    from mfa_export.cache import CacheKey, SessionCache

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
    from mfa_export.keystore import index_path, read_index

    files = AwsFiles(environ)
    clean = {k: v for k, v in environ.items() if k not in _SELECTING}
    stamp = _stamp(clean, [files.config_file, files.credentials_file, index_path(environ)])
    listed = _load_listing(cache, stamp)
    if listed is None:
        keyring = read_index(environ)  # the index only: listing never opens the keyring itself
        listed = [
            _describe(files, clean, cache, name, keyring) for name in sorted(set(files.profile_names()) | set(keyring))
        ]
        _store_listing(cache, stamp, listed)
    now = datetime.now(timezone.utc)
    present = _entry_names(cache)
    rows = []
    for values, name in listed:
        row = dict(zip(FIELDS, values))
        if cache is not None and name is not None and name in present:
            # A session file with this profile's name: resolve the profile again for the full key,
            # which the entry must hold (a file copied to another entry's name is not served).
            key = _key(files, clean, cache, str(row["name"]))
            entry = cache.load(key, warn=False) if key is not None else None
            if entry is not None:
                left = entry["credentials"].seconds_left(now)
                if left > 0:
                    row["expires"] = format_utc(entry["credentials"].expiration)
                    row["seconds_left"] = int(left)
        rows.append(row)
    return rows


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
# (the row's values in FIELDS order, the file name of its session's cache entry or None): what the
# listing cache holds, lists rather than dicts to keep it small
Listed = tuple[list[object], "str | None"]


def _key(files: AwsFiles, clean: Mapping[str, str], cache: SessionCache, name: str) -> CacheKey | None:
    try:
        mfa_key, role_key = cache_keys(settings_module.resolve(Args(dict(DEFAULTS, profile=name)), clean, files))
    except MfaExportError:
        return None
    return role_key or mfa_key


def _describe(
    files: AwsFiles, clean: Mapping[str, str], cache: SessionCache | None, name: str, keyring: dict[str, str]
) -> Listed:
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
            resolved = settings_module.resolve(Args(dict(DEFAULTS, profile=name)), clean, files)
        except MfaExportError as exc:
            row["problem"] = exc.message
        else:
            row["mfa_serial"] = resolved.serial
            row["source_profile"] = resolved.profile if resolved.profile != name else None
            mfa_key, role_key = cache_keys(resolved)
            key = role_key or mfa_key
            return [row[f] for f in FIELDS], os.path.basename(cache.path(key)) if cache is not None else None
    return [row[f] for f in FIELDS], None


# -- the listing cache ---------------------------------------------------------------------------
# With thousands of profiles, resolving each one is most of --list-profiles' time. What it finds
# depends only on the AWS files, the keyring index, the environment and this version, so it is kept
# beside the sessions, stamped with each file's device, inode, size, mtime and ctime; any change,
# or a file not exactly as this process would write it, and it is made anew. Sessions are looked up
# fresh every time.
LISTING = "profiles.listing"


def _stamp(environ: Mapping[str, str], paths: list[str]) -> list[object]:
    from mfa_export import __version__

    stats: list[object] = []
    for path in paths:
        try:
            info = os.stat(path)
            stats.append([path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns])
        except OSError:
            stats.append([path, None])
    settings_env = sorted([k, v] for k, v in environ.items() if k.startswith(("AWS_", "MFA_EXPORT_")))
    return [__version__, stats, settings_env]


def _load_listing(cache: SessionCache | None, stamp: list[object]) -> list[Listed] | None:
    if cache is None:
        return None
    try:
        fd = os.open(os.path.join(cache.directory, LISTING), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            return None  # not ours, or not private: never trusted
        try:
            data = jsonlite.loads(handle.read().decode("utf-8"))
            if data["stamp"] != stamp:
                return None
            listed = [(values, name) for values, name in data["rows"]]
            if not all(isinstance(values, list) and len(values) == len(FIELDS) for values, _ in listed):
                return None
            return listed
        except (ValueError, KeyError, TypeError):
            return None


def _store_listing(cache: SessionCache | None, stamp: list[object], listed: list[Listed]) -> None:
    if cache is None:
        return
    from mfa_export.atomic import write_private
    from mfa_export.cache import UnusableCache

    try:
        cache.ensure_directory()
        import json

        text = json.dumps({"stamp": stamp, "rows": listed}, separators=(",", ":"))
        write_private(os.path.join(cache.directory, LISTING), text.encode())
    except (OSError, UnusableCache):
        pass  # only slower next time


def _entry_names(cache: SessionCache | None) -> set[str]:
    try:
        return set(os.listdir(cache.directory)) if cache is not None else set()
    except OSError:
        return set()
