"""The session cache: one JSON file per (source identity, MFA device, role), private to the user.

The directory is created 0700 and each file 0600 at creation (never chmod after writing secrets),
replaced atomically, and read leniently: a file that is corrupt, truncated, a symlink, owned by
someone else or writable by others is ignored (with a warning) and replaced, never trusted.
A valid entry is read without any lock; the lock (lock.py) is only taken on a miss.
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from datetime import datetime, timezone

from mfa_export.atomic import make_private_dirs, remove_stale_temps, write_private
from mfa_export.credentials import Credentials, format_utc

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from mfa_export.cli import Run

    CacheKey = dict[str, object]

FORMAT_VERSION = 1
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
    def key(source: str, serial: str, role: list[list[str | None]] | None = None) -> CacheKey:
        return {"source": source, "serial": serial, "role": role}

    def path(self, key: CacheKey, suffix: str = ".json") -> str:
        # Two checksums rather than hashlib (whose OpenSSL import costs a cached run ~2 ms): the name
        # only spreads entries; each file holds its full key and a mismatch is a miss.
        data = json.dumps(key, sort_keys=True).encode()
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
            entry: dict[str, Any] = json.loads(raw.decode("utf-8"))
            if entry.get("version") != FORMAT_VERSION or entry.get("key") != key:
                raise ValueError("written for another entry or format")
            entry["credentials"] = Credentials.from_dict(entry["credentials"])
            if not all(isinstance(entry.get(k), (str, type(None))) for k in ("serial", "identity", "profile")):
                raise ValueError("a field that should be text is not")
            entry["credentials"].seconds_left()  # an expiry datetime cannot compare raises here, not later
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
            self._distrust(path, f"is corrupt ({type(exc).__name__})", warn)
            return None
        return entry

    def _distrust(self, path: str, problem: str, warn: bool) -> None:
        if warn:
            self.warn(f"ignoring cached session {path}: it {problem}; it will be replaced")

    # -- writing -----------------------------------------------------------------------------------
    def store(self, key: CacheKey, credentials: Credentials, **details: str | None) -> None:
        entry = {
            "version": FORMAT_VERSION,
            "key": key,
            **details,
            "credentials": credentials.to_dict(),
            "cached_at": format_utc(datetime.now(timezone.utc)),
        }
        write_private(self.path(key), json.dumps(entry, indent=1).encode("utf-8"))

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
            if not name.endswith(".json"):
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
            return json.loads(handle.read(MAX_ENTRY_BYTES).decode("utf-8")).get("profile")
    except (OSError, ValueError, AttributeError, RecursionError):
        return None


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
