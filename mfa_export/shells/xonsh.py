"""xonsh: Python statements; ascii() gives a literal that round-trips any str."""

from mfa_export.shells.base import Shell


class XonshShell(Shell):
    name = "xonsh"
    fail_statement = "raise RuntimeError('mfa-export failed; environment unchanged')"
    eval_idiom = "execx($({cmd}))"

    def quote(self, value):
        return ascii(value)

    def run_command(self, argv):
        self.check("an argument", "".join(argv))
        return f"![{argv[0]} @({ascii(list(argv[1:]))})]\n"

    def set_var(self, name, quoted):
        return f"${{{name!r}}} = {quoted}"

    def unset_var(self, name):
        return f"${{...}}.pop({name!r}, None)"
