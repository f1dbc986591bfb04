"""xonsh: Python statements; ascii() gives a literal that round-trips any str."""

from __future__ import annotations

from mfa_export.shells.base import Shell


class XonshShell(Shell):
    name = "xonsh"
    fail_statement = "raise RuntimeError('mfa-export failed; environment unchanged')"
    eval_idiom = "execx($({cmd}))"

    def quote(self, value: str) -> str:
        return ascii(value)

    def run_command(self, argv: list[str]) -> str:
        self.check("an argument", "".join(argv))
        return f"![{argv[0]} @({list(argv[1:])!a})]\n"

    def set_var(self, name: str, quoted: str) -> str:
        return f"${{{name!r}}} = {quoted}"

    def unset_var(self, name: str) -> str:
        return f"${{...}}.pop({name!r}, None)"
