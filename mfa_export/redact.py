"""--debug output: botocore's request/response logging on stderr, with every secret masked.

botocore logs request parameters (TokenCode), signed headers (Signature, X-Amz-Security-Token) and
raw response bodies (SecretAccessKey, SessionToken). Each record is rewritten before it is written.
"""

from __future__ import annotations

import logging
import re

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from mfa_export.summary import Stream

MASK = "***"

_PATTERNS = [
    # XML and JSON bodies, Python reprs of parameter dicts
    (re.compile(r"(<(SecretAccessKey|SessionToken|SecurityToken)>)[^<]*(</)"), r"\1" + MASK + r"\3"),
    (
        re.compile(
            r"""(['"](?:TokenCode|SecretAccessKey|SessionToken|SecurityToken|aws_secret_access_key|"""
            r"""aws_session_token|X-Amz-Security-Token|Authorization)['"]\s*:\s*)(b?['"])(.*?)\2""",
            re.IGNORECASE,
        ),
        r"\1\2" + MASK + r"\2",
    ),
    # form-encoded bodies and signature fragments
    (re.compile(r"(TokenCode=)[^&\s'\"]*"), r"\1" + MASK),
    (re.compile(r"(Signature=)[0-9a-fA-F]+"), r"\1" + MASK),
    # access key ids (long-term AKIA, session ASIA), wherever they stand: Credential=, bodies, reprs
    (re.compile(r"(?<![A-Za-z0-9])(AKIA|ASIA)[A-Z0-9]{12,124}(?![A-Za-z0-9])"), r"\1" + MASK),
]


# Secret values met during this run (long-term secret key, session secret and token), masked verbatim
# wherever they appear, whatever the shape of the message around them.
_SECRETS: set[str] = set()


def add_secret(value: str | None) -> None:
    if value and len(value) >= 6:
        _SECRETS.add(value)


class RedactingFilter(logging.Filter):
    def redact(self, text: str) -> str:
        for secret in sorted(_SECRETS, key=len, reverse=True):
            text = text.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def enable_debug_logging(stream: Stream) -> RedactingFilter:
    """Send botocore's debug log to ``stream`` through a redacting filter, which is returned."""
    redactor = RedactingFilter()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(redactor)
    for name in ("botocore", "urllib3", "mfa_export"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    return redactor
