"""Getting a session: from the cache when it can serve, else code -> STS -> cache, under a lock.

The cached path imports neither botocore nor filelock; sts.py and lock.py are imported only on a miss.
"""

from collections import namedtuple

from mfa_export import codes
from mfa_export.cache import SessionCache, UnusableCache, cache_dir

DISCOVER = "discover"  # the cache key's device when the device is found with iam:ListMFADevices


# The credentials, the device that made them, and whether the cache served them.
Session = namedtuple("Session", "credentials serial cached")


class SessionSource:
    def __init__(self, settings, environ, reporter, code=None, use_cache=True, force=False, min_ttl=900,
                 code_command=None):
        self.settings = settings
        self.environ = environ
        self.reporter = reporter
        self.code = code
        self.force = force
        self.min_ttl = min_ttl
        self.code_command = code_command
        self.cache = self._open_cache() if use_cache else None
        self.key = SessionCache.key(settings.source_identity, settings.serial or DISCOVER)

    def _open_cache(self):
        cache = SessionCache(cache_dir(self.environ), self.reporter.warning)
        try:
            cache.ensure_directory()
        except (UnusableCache, OSError) as exc:
            self.reporter.warning(f"not caching sessions: {exc}")
            return None
        return cache

    def get(self):
        cached = self._from_cache()
        if cached:
            return cached
        if self.cache is None:
            return self._new_session()
        from mfa_export.lock import SessionLock, lock_path, lock_timeout

        lock = SessionLock(lock_path(self.cache.path(self.key)), lock_timeout(self.environ), self.reporter.notice)
        with lock:
            # Another run may have fetched the session while this one waited.
            return self._from_cache(quiet=True) or self._new_session()

    def _from_cache(self, quiet=False):
        if self.cache is None or self.force:
            return None
        entry = self.cache.load(self.key, warn=not quiet)
        if entry is None:
            return None
        credentials = entry["credentials"]
        if credentials.seconds_left() <= self.min_ttl:
            return None
        return Session(credentials, entry.get("serial") or self.settings.serial, cached=True)

    def _new_session(self):
        from mfa_export import sts  # the expensive import: only when AWS must be asked

        source = sts.Source(self.settings, self.environ)
        serial = self.settings.serial
        if serial is None:
            serial = sts.discover_serial(source)
            self.reporter.notice(f"using MFA device {serial}, the only one listed for this IAM user")
        code = self.code or self._code_for(serial)
        credentials = sts.get_session_token(source, serial, code, self.settings.duration, self.settings.region)
        if self.cache is not None:
            try:
                self.cache.store(self.key, credentials, profile=self.settings.profile, serial=serial)
            except OSError as exc:
                self.reporter.warning(f"could not cache the session: {exc}")
        return Session(credentials, serial, cached=False)

    def _code_for(self, serial):
        if self.code_command:
            return codes.code_from_command(self.code_command, "--code-command", self.environ,
                                           codes.command_timeout(self.environ))
        if self.settings.code_command:
            origin = f"mfa_process of profile {self.settings.profile}"
            return codes.code_from_command(self.settings.code_command, origin, self.environ,
                                           codes.command_timeout(self.environ))
        return codes.prompt_for_code(serial)

