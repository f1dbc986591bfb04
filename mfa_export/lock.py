"""Locks between mfa-export runs, on sibling lock files (flock(2)).

SessionLock: one prompt for many terminals. Runs that need the same session take turns: the lock is
held across check -> code -> STS -> write, so the first run asks for the code and the others wait,
then find its session in the cache.
FileEditLock: a user's file (credentials, config) is re-read, changed and replaced under it, so no
run writes back a copy that another run changed meanwhile; it is never held while waiting for a person.

The lock is flock(2) on the lock file, taken with LOCK_NB and retried every few milliseconds until the
timeout: the kernel drops it when its process dies, however it dies, so a killed run never leaves a
stale lock. (filelock did the same, but importing it pulls in asyncio: ~100 ms of CPU for every run
that waits, which 32 terminals sharing one code paid 32 times over on two cores.)
"""

from __future__ import annotations

import os

from mfa_export.errors import ServiceError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, Literal

DEFAULT_TIMEOUT = 120.0  # the first run may be waiting for a person to type a code


def lock_timeout(environ: Mapping[str, str]) -> float:
    from mfa_export.inputs import seconds_from_env

    return seconds_from_env(environ, "MFA_EXPORT_LOCK_TIMEOUT", DEFAULT_TIMEOUT)


class _Lock:
    activity = "holds the lock"  # what the run holding it is doing, as the waiting message says
    advice = "finish or stop that run, then try again"

    def __init__(self, path: str, timeout: float, on_wait: Callable[[str], None]) -> None:
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd = -1

    def __enter__(self) -> _Lock:
        import fcntl
        import time

        # O_NOFOLLOW: a link planted at the lock path is refused, never followed.
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            if not self._try(fcntl):
                self.on_wait(
                    f"another mfa-export run{self._holder()} {self.activity}; waiting up to {self.timeout:.0f}s"
                )
                give_up = time.monotonic() + self.timeout
                pause = 0.005
                while not self._try(fcntl):
                    if time.monotonic() >= give_up:
                        raise ServiceError(
                            f"gave up after {self.timeout:.0f}s waiting for another mfa-export run (lock {self.path})",
                            self.advice,
                        )
                    time.sleep(pause)
                    pause = min(pause * 2, 0.05)  # quick when the holder is quick, cheap when it waits for a person
        except BaseException:
            os.close(self._fd)
            self._fd = -1
            raise
        self._claim()
        return self

    def _try(self, fcntl: Any) -> bool:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *exc: object) -> Literal[False]:
        try:
            os.unlink(self.path + ".owner")
        except OSError:
            pass
        if self._fd >= 0:
            os.close(self._fd)  # closing the only descriptor releases the flock
            self._fd = -1
        return False

    # Who holds the lock is noted beside it, for the message of the runs that wait.
    def _claim(self) -> None:
        import time

        try:
            fd = os.open(
                self.path + ".owner", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600
            )
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{os.getpid()} {time.strftime('%H:%M:%S')}\n")
        except OSError:
            pass

    def _holder(self) -> str:
        try:
            fd = os.open(self.path + ".owner", os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd) as handle:
                pid, since = handle.read(64).split()[:2]
        except (OSError, ValueError):
            return ""
        return f" (pid {int(pid)}, since {since})" if pid.isdigit() else ""


class SessionLock(_Lock):
    activity = "is getting this session"
    advice = "finish or stop that run (it may be waiting for a code), then try again"


class FileEditLock(_Lock):
    def __init__(self, path: str, timeout: float, on_wait: Callable[[str], None]) -> None:
        directory, name = os.path.split(path)
        super().__init__(os.path.join(directory, f".{name}.mfa-export.lock"), timeout, on_wait)
        self.activity = f"is editing {path}"


def unusable_lock(path: str) -> str | None:
    """Why ``path`` cannot serve as a lock file (a FIFO, socket, device, directory or link), or None."""
    import stat

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    return None if stat.S_ISREG(info.st_mode) else "is not a regular file"


def lock_path(entry_path: str) -> str:
    return os.path.splitext(entry_path)[0] + ".lock"
