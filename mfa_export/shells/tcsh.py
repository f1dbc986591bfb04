"""tcsh and csh: one line of statements; `!` and newlines need special care."""

from __future__ import annotations

from mfa_export.shells.base import Shell, printable_ascii_reason


class TcshShell(Shell):
    name = "tcsh"
    # Backquote substitution splits on newlines, so every statement goes on one line.
    separator = " ; "
    fail_statement = "false ;"
    eval_idiom = 'eval "`{cmd}`"'

    def refuse_reason(self, value: str) -> str | None:
        # A newline cannot survive backquote substitution, and non-ASCII is mangled in the C locale.
        return printable_ascii_reason(value)

    def quote(self, value: str) -> str:
        return "'" + value.replace("'", "'\\''").replace("!", "'\\!'") + "'"

    def wrapped_fail(self, status: int) -> str:
        # The tcsh wrapper is an alias that can only eval: a subshell's exit carries the status out.
        return f"( exit {int(status)} ) ;\n"

    def run_command(self, argv: list[str]) -> str:
        for arg in argv:
            self.check("an argument", arg)
        return " ".join(self.quote(arg) for arg in argv) + "\n"

    def set_var(self, name: str, quoted: str) -> str:
        return f"setenv {name} {quoted}"

    def unset_var(self, name: str) -> str:
        return f"unsetenv {name}"
