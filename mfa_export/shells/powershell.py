"""PowerShell (pwsh, Windows PowerShell): single-quoted strings with every kind of single quote doubled."""

from __future__ import annotations

from mfa_export.shells.base import Shell, printable_ascii_reason

# The tokenizer treats U+2018..U+201B as single quotes too: doubling only ASCII ' would let
# a value such as  a’; Remove-Item x; ‘  close the string and run code.
SINGLE_QUOTES = ("'", "\u2018", "\u2019", "\u201a", "\u201b")


class PowerShell(Shell):
    name = "pwsh"
    fail_statement = "throw 'mfa-export failed; environment unchanged'"
    eval_idiom = "{cmd} | Out-String | Invoke-Expression"

    def refuse_reason(self, value: str) -> str | None:
        # Output stays ASCII: PowerShell decodes a child's output with the console code page, which
        # is not always UTF-8, and a line break may not survive Out-String on every host.
        return printable_ascii_reason(value)

    def quote(self, value: str) -> str:
        for quote in SINGLE_QUOTES:
            value = value.replace(quote, quote + quote)
        return "'" + value + "'"

    def run_command(self, argv: list[str]) -> str:
        for arg in argv:
            self.check("an argument", arg)
        return "& " + " ".join(self.quote(arg) for arg in argv) + "\n"

    def set_var(self, name: str, quoted: str) -> str:
        return f"$env:{name} = {quoted}"

    def unset_var(self, name: str) -> str:
        return f"Remove-Item -LiteralPath Env:{name} -ErrorAction SilentlyContinue"
