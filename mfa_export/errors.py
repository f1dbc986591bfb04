"""Every failure mfa-export reports, each carrying its exit code (design.md, "Exit codes").

A message says what failed; ``hint`` says what to do next. Both end up on one stderr line.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_AWS_REFUSED = 4
EXIT_NETWORK = 5
EXIT_OUTPUT = 6
EXIT_INTERRUPTED = 130


class MfaExportError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class UsageError(MfaExportError):
    """Bad flags or input, or no code and no terminal to ask for one."""

    exit_code = EXIT_USAGE


class ConfigError(MfaExportError):
    """A profile, MFA device or key is missing or malformed."""

    exit_code = EXIT_CONFIG


class AwsRefused(MfaExportError):
    """AWS answered and said no: wrong code, wrong key, wrong device."""

    exit_code = EXIT_AWS_REFUSED


class ServiceError(MfaExportError):
    """The network or the service failed: unreachable, timeout, 5xx, throttling."""

    exit_code = EXIT_NETWORK


class OutputError(MfaExportError):
    """The chosen shell or format cannot carry a value safely."""

    exit_code = EXIT_OUTPUT


class Interrupted(MfaExportError):
    exit_code = EXIT_INTERRUPTED
