"""bash, zsh, sh, dash, ksh, mksh, ash, yash: single quotes hold any byte but the quote itself."""

from mfa_export.shells.base import Shell


class PosixShell(Shell):
    name = "sh"

    def quote(self, value):
        return "'" + value.replace("'", "'\\''") + "'"

    def set_var(self, name, quoted):
        return f"export {name}={quoted}"

    def unset_var(self, name):
        return f"unset {name}"
