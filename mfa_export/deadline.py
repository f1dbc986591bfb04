"""One time budget for all the network work of a run (default 30 s, $MFA_EXPORT_TIMEOUT).

botocore's timeouts apply to each connect and each socket read, so a server that trickles a byte
every few seconds never trips them. Each AWS call therefore also runs under an interval timer set to
what is left of the budget; when it fires, the call is abandoned wherever it is. The budget counts
network time only: a person typing a code between two calls does not spend it.
"""

from __future__ import annotations

import signal
import time

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import FrameType
    from typing import Literal

DEFAULT_SECONDS = 30.0
VARIABLE = "MFA_EXPORT_TIMEOUT"


class DeadlineExceeded(BaseException):
    """Raised inside the network call when the budget runs out; BaseException, so that no library's
    ``except Exception`` swallows it and retries."""


class NetworkBudget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.left = seconds

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> NetworkBudget:
        from mfa_export.inputs import seconds_from_env

        return cls(seconds_from_env(environ, VARIABLE, DEFAULT_SECONDS, maximum=3600.0))

    def __enter__(self) -> NetworkBudget:
        if self.left <= 0:
            raise DeadlineExceeded()
        self._started = time.monotonic()
        try:
            self._previous = signal.signal(signal.SIGALRM, self._expire)
        except (ValueError, OSError):  # not the main thread: the socket timeouts still apply
            self._previous = None
            return self
        signal.setitimer(signal.ITIMER_REAL, self.left)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if self._previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
        self.left -= time.monotonic() - self._started
        return False

    @staticmethod
    def _expire(signum: int, frame: FrameType | None) -> None:
        raise DeadlineExceeded()
