"""fish: inside '...' only \\\\ and \\' are escapes."""

from __future__ import annotations

from mfa_export.shells.base import Shell


class FishShell(Shell):
    name = "fish"
    # `eval (cmd)` joins lines with spaces and sets nothing: fish users must pipe to source.
    eval_idiom = "{cmd} | source"

    def quote(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def set_var(self, name: str, quoted: str) -> str:
        return f"set -gx {name} {quoted}"

    def unset_var(self, name: str) -> str:
        # `set -e` returns 4 when the variable was not set; that must not fail the whole source.
        return f"set -e -g {name}; or true"
