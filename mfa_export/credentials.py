"""The temporary credentials mfa-export hands out, and their one JSON form.

An expiry is held as Unix seconds: a cached run needs only the time module to export it
(ISO-8601) and to say when it ends; datetime is imported where a timestamp must be parsed.
"""

from __future__ import annotations

import time
from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

# Unix seconds of 10000-01-01: later expiries have no ISO-8601 form
LATEST = 253402300800.0


def seconds(moment: float | datetime) -> float:
    """Unix seconds of a datetime (timezone-aware), or of seconds already."""
    return float(moment) if isinstance(moment, (int, float)) else moment.timestamp()


def format_utc(moment: float | datetime) -> str:
    """ISO-8601 in UTC with a Z, the form AWS_CREDENTIAL_EXPIRATION and credential_process use."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds(moment)))


def parse_utc(text: str) -> float:
    """Unix seconds of an ISO-8601 timestamp with a timezone (ValueError otherwise)."""
    from datetime import datetime

    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a timezone: {text!r}")
    return moment.timestamp()


# A namedtuple rather than a dataclass: importing dataclasses costs ~6 ms of
# start-up (it pulls in inspect), a fifth of a cached run.
class Credentials(namedtuple("Credentials", "access_key_id secret_access_key session_token expiration")):
    """Temporary credentials; ``expiration`` in Unix seconds (given as seconds or an aware datetime)."""

    __slots__ = ()

    if TYPE_CHECKING:  # the fields, as mypy cannot read them from namedtuple's string
        access_key_id: str
        secret_access_key: str
        session_token: str
        expiration: float

    def __new__(
        cls, access_key_id: str, secret_access_key: str, session_token: str, expiration: float | datetime
    ) -> Credentials:
        return super().__new__(cls, access_key_id, secret_access_key, session_token, seconds(expiration))

    def __repr__(self) -> str:
        # Keep secrets out of tracebacks and --debug output.
        return f"Credentials(access_key_id={self.access_key_id!r}, expiration={format_utc(self.expiration)})"

    def seconds_left(self, now: float | datetime | None = None) -> float:
        return self.expiration - (time.time() if now is None else seconds(now))

    def to_dict(self) -> dict[str, str]:
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": format_utc(self.expiration),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Credentials:
        values = [data["AccessKeyId"], data["SecretAccessKey"], data["SessionToken"], data["Expiration"]]
        texts = [v for v in values if isinstance(v, str) and v]
        if len(texts) != len(values):
            raise ValueError("credential fields must be non-empty strings")
        return cls(texts[0], texts[1], texts[2], parse_utc(texts[3]))
