"""The temporary credentials mfa-export hands out, and their one JSON form."""

from collections import namedtuple
from datetime import datetime, timezone


def format_utc(moment):
    """ISO-8601 in UTC with a Z, the form AWS_CREDENTIAL_EXPIRATION and credential_process use."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text):
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a timezone: {text!r}")
    return moment.astimezone(timezone.utc)


# A namedtuple rather than a dataclass: importing dataclasses costs ~6 ms of start-up (it pulls in
# inspect), a fifth of a cached run.
class Credentials(namedtuple("Credentials", "access_key_id secret_access_key session_token expiration")):
    """Temporary credentials; ``expiration`` is timezone-aware."""

    __slots__ = ()

    def __repr__(self):
        # Keep secrets out of tracebacks and --debug output.
        return f"Credentials(access_key_id={self.access_key_id!r}, expiration={format_utc(self.expiration)})"

    def seconds_left(self, now=None):
        now = now or datetime.now(timezone.utc)
        return (self.expiration - now).total_seconds()

    def to_dict(self):
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": format_utc(self.expiration),
        }

    @classmethod
    def from_dict(cls, data):
        values = [data["AccessKeyId"], data["SecretAccessKey"], data["SessionToken"], data["Expiration"]]
        if not all(isinstance(v, str) and v for v in values):
            raise ValueError("credential fields must be non-empty strings")
        return cls(values[0], values[1], values[2], parse_utc(values[3]))
