"""--list-profiles: every profile with its kind, MFA device, role and cached-session expiry.

Read from the files and the cache only (no botocore), so completion and prompts can call it cheaply.
"""

from __future__ import annotations

import os

from mfa_export import jsonlite, kept
from mfa_export import settings as settings_module
from mfa_export.argv import DEFAULTS, Args
from mfa_export.awsconfig import AwsFiles
from mfa_export.credentials import format_utc
from mfa_export.dates import datetime, timezone
from mfa_export.errors import MfaExportError
from mfa_export.session import cache_keys
from mfa_export.writeprofile import EXPIRY_KEY

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from mfa_export.cache import CacheKey, SessionCache

# Variables that would make every profile resolve the same way; each profile is asked for by name.
_SELECTING = kept.SELECTING


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
    stamp = _stamp(clean, files, environ)
    listed = _load_listing(cache, stamp)
    if listed is None:
        from mfa_export.keystore import read_index

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
            left = _seconds_left(files, clean, cache, str(row["name"]), now)
            if left:
                row["expires"], row["seconds_left"] = left
        rows.append(row)
    return rows


def plain_listing(
    environ: Mapping[str, str], cache: SessionCache | None, more_rows_than: int = -1
) -> tuple[str, list[str]] | None:
    """The plain --list-profiles table, and the profiles with keys in a file and in the keyring, from
    the kept listing and the sessions it names, without reading its rows: None when there is no
    listing for these files and this environment (describe_profiles then makes one), or when it has
    no more than ``more_rows_than`` profiles (a terminal shows those with rich, from the rows)."""
    from mfa_export.summary import relative

    files = AwsFiles(environ)
    clean = {k: v for k, v in environ.items() if k not in _SELECTING}
    found = _read_listing(cache, _stamp(clean, files, environ))
    if found is None or cache is None:
        return None
    head, _, table = found
    if table.count("\n") - 1 <= more_rows_than:  # the header line is not a profile
        return None
    try:
        column, live, both = head["column"], head["live"], head["both"]
        if not (isinstance(column, int) and isinstance(both, list) and all(isinstance(n, str) for n in both)):
            return None
        present = _entry_names(cache)
        live = [
            (index, name)
            for entry, index, name in live
            if entry in present and isinstance(index, int) and index > 0 and isinstance(name, str)
        ]
        if live:
            # Only a live session's cell differs from the kept table: it is the last on its line.
            lines = table.split("\n")
            now = datetime.now(timezone.utc)
            for index, name in live:
                left = _seconds_left(files, clean, cache, name, now)
                if left:
                    lines[index] = lines[index][:column] + relative(left[1])
            table = "\n".join(lines)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return table, both


def _seconds_left(
    files: AwsFiles, clean: Mapping[str, str], cache: SessionCache, name: str, now: datetime
) -> tuple[str, int] | None:
    """(expiry, seconds left) of the profile's live session. Its file in the cache is found by name;
    the profile is resolved again for the full key, which the entry must hold (a file copied to
    another entry's name is not served)."""
    key = _key(files, clean, cache, name)
    entry = cache.load(key, warn=False) if key is not None else None
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


# -- the listing, kept (kept.py) -----------------------------------------------------------------
# With thousands of profiles, resolving each one is most of --list-profiles' time. Sessions are
# looked up fresh every time. The kept body is the rows (JSON, one line) and the plain table as text,
# made with no session live; the head adds what a plain table needs: where its last column starts,
# the lines of profiles with a session file, the profiles with keys in both places. A plain run
# reads the head and the table only.
LISTING = "profiles.listing"


def _stamp(clean: Mapping[str, str], files: AwsFiles, environ: Mapping[str, str]) -> list[object]:
    from mfa_export.keystore import index_path

    return kept.stamp(clean, [files.config_file, files.credentials_file, index_path(environ)])


def _read_listing(cache: SessionCache | None, stamp: list[object]) -> tuple[dict[str, Any], str, str] | None:
    found = kept.read(cache, LISTING, stamp)
    if found is None:
        return None
    head, body = found
    rows_text, _, table = body.partition("\n")
    return head, rows_text, table


def _load_listing(cache: SessionCache | None, stamp: list[object]) -> list[Listed] | None:
    found = _read_listing(cache, stamp)
    if found is None:
        return None
    try:
        listed = [(values, name) for values, name in jsonlite.loads(found[1])]
        if not all(isinstance(values, list) and len(values) == len(FIELDS) for values, _ in listed):
            return None
        return listed
    except (ValueError, KeyError, TypeError):
        return None


def _store_listing(cache: SessionCache | None, stamp: list[object], listed: list[Listed]) -> None:
    import json

    from mfa_export.summary import plain_table, profile_cells

    rows = [dict(zip(FIELDS, values)) for values, _ in listed]
    table, column = plain_table([profile_cells(row) for row in rows])
    head = {
        "stamp": stamp,
        "column": column,
        # [session file, line in the table (the header is line 0), profile]
        "live": [[entry, index + 1, row["name"]] for index, ((_, entry), row) in enumerate(zip(listed, rows)) if entry],
        "both": [row["name"] for row in rows if row["keys"] == "both"],
    }
    if table.count("\n") != len(rows) + 1:
        head["column"] = None  # a cell spans lines: plain runs read the rows instead
    kept.write(cache, LISTING, head, json.dumps(listed, separators=(",", ":")) + "\n" + table)


def _entry_names(cache: SessionCache | None) -> set[str]:
    try:
        return set(os.listdir(cache.directory)) if cache is not None else set()
    except OSError:
        return set()
