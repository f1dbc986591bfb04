"""`mfa-export [CODE] -- COMMAND [ARG...]`: run COMMAND with the session in its environment.

The process replaces itself with COMMAND (exec), so stdin/stdout/stderr, signals and the exit status
are COMMAND's own, with no Python in between.
"""

from __future__ import annotations

import os
import shutil
import sys

from mfa_export.errors import MfaExportError, OutputError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import NoReturn

    from mfa_export.exports import Plan

EXIT_NOT_FOUND = 127  # what shells return for a command that does not exist


class CommandNotFound(MfaExportError):
    exit_code = EXIT_NOT_FOUND


def environment_with(environ: Mapping[str, str], plan: Plan) -> dict[str, str]:
    env = dict(environ)
    for name, value in plan:
        if value is None:
            env.pop(name, None)
        elif "\0" in value:
            raise OutputError(f"{name} contains a NUL character, which no environment can hold")
        else:
            env[name] = value
    return env


def resolve_command(argv: list[str], env: Mapping[str, str]) -> str:
    path = shutil.which(argv[0], path=env.get("PATH", os.defpath))
    if path is None:
        raise CommandNotFound(f"command not found: {argv[0]}", "check the command after --")
    return path


def exec_command(path: str, argv: list[str], env: Mapping[str, str]) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(path, argv, env)
