"""Outputs that are not shell code: credential_process JSON, dotenv lines, GitHub Actions files."""

from __future__ import annotations

import json
import os
import re
import secrets

from mfa_export.errors import OutputError, UsageError
from mfa_export.exports import SECRET_VARIABLES

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping

    from mfa_export.credentials import Credentials
    from mfa_export.exports import Plan

# dotenv files are read by many parsers (docker --env-file, compose's env_file, GitLab's dotenv
# reports, python-dotenv) that disagree about quotes, `$`, `#` and backslashes; a value with any of
# them, or with white space at either end, means different things to different readers. Real
# credentials never contain them.
_DOTENV_SAFE = re.compile(r"[A-Za-z0-9/+=._:,@%-]*")


def credential_process_json(credentials: Credentials) -> str:
    """The credential_process v1 document the AWS CLI and SDKs read."""
    return json.dumps({"Version": 1, **credentials.to_dict()}, indent=2) + "\n"


def _assignments(plan: Plan) -> list[tuple[str, str]]:
    return [(name, value) for name, value in plan if value is not None]


# Variables whose values the user chose (a profile name, a region), not the STS endpoint.
_USER_VALUES = {
    "MFA_EXPORT_PROFILE": "the profile's name",
    "AWS_REGION": "the region",
    "AWS_DEFAULT_REGION": "the region",
}


def dotenv(plan: Plan) -> str:
    """KEY=value lines (only the variables that are set: a dotenv file cannot unset one)."""
    lines = []
    for name, value in _assignments(plan):
        if not _DOTENV_SAFE.fullmatch(value):
            bad = next(c for c in value if not _DOTENV_SAFE.fullmatch(c))
            hint = (
                f"nothing was written; use a simpler name for {_USER_VALUES[name]} or another format"
                if name in _USER_VALUES
                else "nothing was written; check the STS endpoint you are using"
            )
            raise OutputError(f"{name} contains {bad!r}, which dotenv readers do not agree on", hint)
        lines.append(f"{name}={value}\n")
    return "".join(lines)


def _command_value(value: str) -> str:
    # Workflow command data escaping: one line, whatever the value holds.
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_env_path(environ: Mapping[str, str]) -> str:
    path = environ.get("GITHUB_ENV")
    if not path:
        raise UsageError(
            "--format github needs $GITHUB_ENV, which GitHub Actions sets in every step",
            "run this inside a GitHub Actions job, or use --format dotenv",
        )
    return path


def github(
    plan: Plan,
    environ: Mapping[str, str],
    secret_names: tuple[str, ...] = SECRET_VARIABLES,
) -> str:
    """Append the variables to $GITHUB_ENV; return the ::add-mask:: commands for stdout.

    Each value uses the heredoc form with a random delimiter, so a value may span lines and can never
    end its own entry early.
    """
    path = github_env_path(environ)
    entries = []
    masks = []
    for name, value in _assignments(plan):
        if "\0" in value or "\r" in value:
            raise OutputError(
                f"{name} contains a character $GITHUB_ENV cannot carry",
                "nothing was written; check the STS endpoint you are using",
            )
        delimiter = "ghadelimiter_" + secrets.token_hex(16)
        while delimiter in value:
            delimiter = "ghadelimiter_" + secrets.token_hex(16)
        entries.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        if name in secret_names:
            parts = [value] + (value.split("\n") if "\n" in value else [])
            masks += [f"::add-mask::{_command_value(part)}\n" for part in parts if part]
    data = "".join(entries).encode("utf-8")
    _append_whole(path, data)
    return "".join(masks)


def _append_whole(path: str, data: bytes) -> None:
    """One append that lands whole, or is undone: a truncated heredoc would swallow the job's later
    variables. The runner owns the file, so it is appended to, as GitHub documents, not replaced."""
    from mfa_export.errors import ConfigError

    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o600)
    try:
        start = os.fstat(fd).st_size
        try:
            written = os.write(fd, data)
        except OSError as exc:
            written, error = 0, exc.strerror
        else:
            error = "short write (disk full?)" if written != len(data) else None
        if error:
            try:
                if written:
                    os.ftruncate(fd, start)
            except OSError:
                pass
            raise ConfigError(f"could not append to $GITHUB_ENV ({path}): {error}", "nothing was exported")
    finally:
        os.close(fd)
