"""cmd.exe has no quoting that is safe for every value: only a known-safe alphabet is emitted."""

from __future__ import annotations

import re

from mfa_export.shells.base import Shell

_SAFE = re.compile(r"[A-Za-z0-9/+=._:-]*")


class CmdShell(Shell):
    name = "cmd"
    # Never `exit /b`: it would close an interactive cmd.
    fail_statement = "cmd /c exit 1"
    eval_idiom = "for /f \"delims=\" %i in ('{cmd} --shell cmd') do @%i"

    def refuse_reason(self, value: str) -> str | None:
        if not _SAFE.fullmatch(value):
            bad = next(c for c in value if not _SAFE.fullmatch(c))
            return f"the character {bad!r}"
        return None

    def run_command(self, argv: list[str]) -> str:
        from mfa_export.errors import UsageError

        raise UsageError("there is no mfa wrapper for cmd.exe", "call mfa-export directly")

    def quote(self, value: str) -> str:
        return value

    def set_var(self, name: str, quoted: str) -> str:
        return f'set "{name}={quoted}"'

    def unset_var(self, name: str) -> str:
        return f'set "{name}="'
