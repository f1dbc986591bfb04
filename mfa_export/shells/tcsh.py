"""tcsh and csh: one line of statements; `!` and newlines need special care."""

from mfa_export.shells.base import Shell, printable_ascii_reason


class TcshShell(Shell):
    name = "tcsh"
    # Backquote substitution splits on newlines, so every statement goes on one line.
    separator = " ; "
    fail_statement = "false ;"
    eval_idiom = 'eval "`{cmd}`"'

    def refuse_reason(self, value):
        # A newline cannot survive backquote substitution, and non-ASCII is mangled in the C locale.
        return printable_ascii_reason(value)

    def quote(self, value):
        return "'" + value.replace("'", "'\\''").replace("!", "'\\!'") + "'"

    def wrapped_fail(self, status):
        # The tcsh wrapper is an alias that can only eval: a subshell's exit carries the status out.
        return f"( exit {int(status)} ) ;\n"

    def run_command(self, argv):
        for arg in argv:
            self.check("an argument", arg)
        return " ".join(self.quote(arg) for arg in argv) + "\n"

    def set_var(self, name, quoted):
        return f"setenv {name} {quoted}"

    def unset_var(self, name):
        return f"unsetenv {name}"
