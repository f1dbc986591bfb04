"""bash, zsh, sh, dash, ksh, mksh, ash, yash: single quotes hold any byte but the quote itself."""

from __future__ import annotations

from mfa_export.shells.base import Shell


class PosixShell(Shell):
    name = "sh"

    def quote(self, value: str) -> str:
        return "'" + value.replace("'", "'\\''") + "'"

    def set_var(self, name: str, quoted: str) -> str:
        return f"export {name}={quoted}"

    def unset_var(self, name: str) -> str:
        return f"unset {name}"
