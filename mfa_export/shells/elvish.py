"""elvish: single-quoted strings have one escape, '' for '."""

from __future__ import annotations

from mfa_export.shells.base import Shell


class ElvishShell(Shell):
    name = "elvish"
    fail_statement = "fail 'mfa-export failed; environment unchanged'"
    eval_idiom = "eval ({cmd} | slurp)"

    def quote(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def run_command(self, argv: list[str]) -> str:
        self.check("an argument", "".join(argv))
        # e: forces the external command (no function of that name); its name is ours, not quoted
        return " ".join([f"e:{argv[0]}"] + [self.quote(arg) for arg in argv[1:]]) + "\n"

    def set_var(self, name: str, quoted: str) -> str:
        return f"set-env {name} {quoted}"

    def unset_var(self, name: str) -> str:
        return f"unset-env {name}"
