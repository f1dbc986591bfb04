"""The session cache: one file per (source identity, MFA device, role), private to the user.

The directory is created 0700 and each file 0600 at creation (never chmod after writing secrets),
replaced atomically, and read leniently: a file that is corrupt, truncated, a symlink, owned by
someone else or writable by others is ignored (with a warning) and replaced, never trusted.
A valid entry is read without any lock; the lock (lock.py) is only taken on a miss.

An entry is a format of our own, read without a parser: a first line naming the format, then one
``name value`` line per field (``%``, CR and LF in a value written as %25, %0D and %0A), the expiry
in Unix seconds. Entries of the JSON format of earlier versions (``*.json``) are never read: they
are misses, replaced by new entries, and removed by --clear-cache.
"""

from __future__ import annotations

import os
import stat
import time
import zlib

from mfa_export.atomic import make_private_dirs, remove_stale_temps, write_private
from mfa_export.credentials import LATEST, Credentials

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from mfa_export.cli import Run

    CacheKey = dict[str, object]

FORMAT = "mfa-export session 2"  # the first line of every entry
SUFFIX = ".session"
OLD_SUFFIX = ".json"  # entries of the JSON format (version 1)
LEGACY_FILES = ("profiles.listing", "profiles.names")  # kept by versions before 2026-12; no secrets
MAX_ENTRY_BYTES = 64 * 1024


def cache_dir(environ: Mapping[str, str]) -> str:
    if environ.get("MFA_EXPORT_CACHE_DIR"):
        return os.path.expanduser(environ["MFA_EXPORT_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mfa-export")


class UnusableCache(Exception):
    """The cache directory cannot be trusted or created; the run goes on without a cache."""


class SessionCache:
    def __init__(self, directory: str, warn: Callable[[str], None]) -> None:
        self.directory = directory
        self.warn = warn

    # -- keys and paths ----------------------------------------------------------------------------
    @staticmethod
    def key(source: str, serial: str, role: list[list[str | None]] | None = None, via: str | None = None) -> CacheKey:
        """``via``: how a role session was made when not with the MFA session ("code": with the
        long-term keys and a code of its own)."""
        key: CacheKey = {"source": source, "serial": serial, "role": role}
        if via is not None:
            key["via"] = via
        return key

    def path(self, key: CacheKey, suffix: str = SUFFIX) -> str:
        # Two checksums rather than hashlib (whose OpenSSL import costs a cached run ~2 ms): the name
        # only spreads entries; each file holds its full key and a mismatch is a miss.
        data = key_text(key).encode("utf-8", "surrogatepass")
        digest = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
        return os.path.join(self.directory, digest + suffix)

    # -- directory ---------------------------------------------------------------------------------
    def ensure_directory(self) -> None:
        """Create the directory 0700, or check an existing one is ours and private."""
        parent = os.path.dirname(self.directory)
        if parent:
            make_private_dirs(parent)  # 0700 under any umask, like the cache itself
        try:
            os.mkdir(self.directory, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise UnusableCache(f"cannot create {self.directory}: {exc.strerror}") from None
        info = os.lstat(self.directory)
        if not stat.S_ISDIR(info.st_mode):
            raise UnusableCache(f"{self.directory} is not a directory")
        if info.st_uid != os.getuid():
            raise UnusableCache(f"{self.directory} belongs to another user")
        if stat.S_IMODE(info.st_mode) & 0o077:
            # Ours but open to others (made by hand or by an old umask): close it before using it.
            os.chmod(self.directory, 0o700)

    # -- reading -----------------------------------------------------------------------------------
    def load(self, key: CacheKey, warn: bool = True) -> dict[str, Any] | None:
        """The cached entry for ``key`` as a dict with Credentials under "credentials", or None."""
        path = self.path(key)
        try:
            fd = _open_for_reading(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._distrust(path, f"cannot be opened ({exc.strerror})", warn)
            return None
        info = os.fstat(fd)
        problem = None
        if not stat.S_ISREG(info.st_mode):  # checked before fdopen, which refuses a directory
            problem = "is not a regular file"
        elif info.st_uid != os.getuid():
            problem = "belongs to another user"
        elif stat.S_IMODE(info.st_mode) & 0o077:
            problem = "is readable or writable by others"
        elif info.st_size > MAX_ENTRY_BYTES:
            problem = "is too large"
        if problem:
            os.close(fd)
            self._distrust(path, problem, warn)
            return None
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_ENTRY_BYTES + 1)
        try:
            fields = _parse(raw.decode("utf-8", "surrogatepass"))
            if fields.get("key") != key_text(key):
                raise ValueError("written for another entry")
            expiration = float(fields["expiration"])
            if not 0 < expiration < LATEST:  # also NaN
                raise ValueError("an expiry out of range")
            credentials = Credentials(
                fields["access_key_id"], fields["secret_access_key"], fields["session_token"], expiration
            )
            if not (credentials.access_key_id and credentials.secret_access_key and credentials.session_token):
                raise ValueError("an empty key")
        except (ValueError, KeyError) as exc:  # UnicodeDecodeError is a ValueError
            self._distrust(path, f"is corrupt ({type(exc).__name__})", warn)
            return None
        entry: dict[str, Any] = {name: fields.get(name) for name in ("serial", "identity", "profile")}
        entry["credentials"] = credentials
        return entry

    def _distrust(self, path: str, problem: str, warn: bool) -> None:
        if warn:
            self.warn(f"ignoring cached session {path}: it {problem}; it will be replaced")

    # -- writing -----------------------------------------------------------------------------------
    def store(self, key: CacheKey, credentials: Credentials, **details: str | None) -> None:
        values: dict[str, object] = {
            "key": key_text(key),
            "access_key_id": credentials.access_key_id,
            "secret_access_key": credentials.secret_access_key,
            "session_token": credentials.session_token,
            "expiration": repr(credentials.expiration),
            **details,
            "cached_at": repr(time.time()),
        }
        lines = [FORMAT] + [f"{name} {_escape(str(value))}" for name, value in values.items() if value is not None]
        write_private(self.path(key), ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))

    # -- clearing ----------------------------------------------------------------------------------
    def clear(self, profile: str | None = None, keys: list[CacheKey] | None = None) -> int:
        """Remove cached sessions (only ``profile``'s, and those at ``keys``, when given); returns how many."""
        removed = 0
        wanted = {os.path.basename(self.path(key)) for key in keys or []}
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return 0
        self.remove_stale_temps(names)
        for name in names:
            path = os.path.join(self.directory, name)
            if name in LEGACY_FILES and profile is None and _is_regular(path):
                os.unlink(path)  # what earlier versions kept beside the sessions; never read now
                continue
            if not name.endswith((SUFFIX, OLD_SUFFIX)):
                continue
            if not _is_regular(path):
                self.warn(f"leaving {path} alone: it is not a regular file")
                continue
            if profile is not None and name not in wanted and _profile_of(path) != profile:
                continue
            try:
                os.unlink(path)
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                self.warn(f"could not remove {path}: {exc.strerror}")
        return removed

    def remove_stale_temps(self, names: list[str] | None = None) -> None:
        """Temp files of runs that were killed (kill -9) before they could clean up: they hold sessions."""
        remove_stale_temps(self.directory, names=names)


def _open_for_reading(path: str) -> int:
    # O_NONBLOCK: a FIFO planted at an entry's path must not hang the run (it is then refused as
    # "not a regular file"); on a regular file the flag changes nothing.
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _profile_of(path: str) -> object:
    try:
        with os.fdopen(_open_for_reading(path), "rb") as handle:
            return _parse(handle.read(MAX_ENTRY_BYTES).decode("utf-8", "surrogatepass")).get("profile")
    except (OSError, ValueError):
        return None  # an entry of the old format, or none at all: not found by profile


# -- the entry format -------------------------------------------------------------------------------


def key_text(key: CacheKey) -> str:
    """A cache key as one line: its parts, each escaped, in a fixed order (the key's identity)."""
    role = key.get("role") or []
    assert isinstance(role, list)
    steps = ["\x1f".join("" if part is None else _escape(str(part)) for part in step) for step in role]
    via = [f"\x1dvia={_escape(str(key['via']))}"] if key.get("via") else []
    return "\x1e".join([_escape(str(key["source"])), _escape(str(key["serial"])), *steps]) + "".join(via)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%") if "%" in text else text


def _parse(text: str) -> dict[str, str]:
    """{name: value} of an entry's text; ValueError for anything that is not one."""
    lines = text.split("\n")
    if lines[0] != FORMAT or lines[-1] != "":
        raise ValueError("not an entry of this format")
    fields = {}
    for line in lines[1:-1]:
        name, _, value = line.partition(" ")
        if name in fields:
            raise ValueError(f"{name} twice")
        fields[name] = _unescape(value)
    return fields


def run_clear(run: Run) -> str:
    """The --clear-cache mode (modes.py): every entry, or with -p every entry the profile would be served."""
    from mfa_export.errors import MfaExportError

    profile = run.args.profile
    cache = SessionCache(cache_dir(run.environ), run.reporter.warning)
    keys = []
    if profile:
        # Every entry the profile would use (its MFA session, its roles, shared ones too), found
        # from its settings; entries written for it by name go as well.
        from mfa_export import settings
        from mfa_export.session import every_cache_key

        try:
            keys = every_cache_key(settings.resolve(run.args, run.environ))
        except MfaExportError as exc:
            run.reporter.warning(f"removing only entries written for {profile}: {exc.message}")
    removed = cache.clear(profile=profile, keys=keys)
    whose = f" of profile {profile}" if profile else ""
    run.reporter.notice(f"removed {removed} cached session{'s' if removed != 1 else ''}{whose} from {cache.directory}")
    return ""
