"""One prompt for many terminals: runs that need the same session take turns.

The lock is held across check -> code -> STS -> write, so the first run asks for the code and the
others wait, then find its session in the cache. filelock is imported here only, on a cache miss: it
costs ~100 ms of start-up that a cached run must not pay.
"""

import os

from mfa_export.errors import ServiceError

DEFAULT_TIMEOUT = 120.0  # the first run may be waiting for a person to type a code


def lock_timeout(environ):
    try:
        return float(environ.get("MFA_EXPORT_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


class SessionLock:
    def __init__(self, path, timeout, on_wait):
        import filelock

        self._filelock = filelock
        self._lock = filelock.FileLock(path, mode=0o600)
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait

    def __enter__(self):
        try:
            self._lock.acquire(timeout=0)
        except self._filelock.Timeout:
            self.on_wait(f"another mfa-export run is getting this session; waiting up to {self.timeout:.0f}s")
            try:
                self._lock.acquire(timeout=self.timeout)
            except self._filelock.Timeout:
                raise ServiceError(
                    f"gave up after {self.timeout:.0f}s waiting for another mfa-export run (lock {self.path})",
                    "finish or stop that run (it may be waiting for a code), then try again",
                ) from None
        return self

    def __exit__(self, *exc):
        self._lock.release()
        return False


def lock_path(entry_path):
    return os.path.splitext(entry_path)[0] + ".lock"
