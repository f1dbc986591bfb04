"""The temporary credentials mfa-export hands out, and their one JSON form."""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime, timezone

TYPE_CHECKING = False


def format_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, the form AWS_CREDENTIAL_EXPIRATION and credential_process use."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a timezone: {text!r}")
    return moment.astimezone(timezone.utc)


# A namedtuple rather than a dataclass: importing dataclasses costs ~6 ms of
# start-up (it pulls in inspect), a fifth of a cached run.
class Credentials(namedtuple("Credentials", "access_key_id secret_access_key session_token expiration")):
    """Temporary credentials; ``expiration`` is timezone-aware."""

    __slots__ = ()

    if TYPE_CHECKING:  # the fields, as mypy cannot read them from namedtuple's string
        access_key_id: str
        secret_access_key: str
        session_token: str
        expiration: datetime

    def __repr__(self) -> str:
        # Keep secrets out of tracebacks and --debug output.
        return f"Credentials(access_key_id={self.access_key_id!r}, expiration={format_utc(self.expiration)})"

    def seconds_left(self, now: datetime | None = None) -> float:
        now = now or datetime.now(timezone.utc)
        return (self.expiration - now).total_seconds()

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
