"""nushell cannot eval a string: it gets a JSON record for `from json | load-env` (null unsets)."""

import json

from mfa_export.shells.base import Shell


class NuShell(Shell):
    name = "nu"
    # A non-zero exit already aborts the caller's pipeline; anything on stdout would be parsed.
    fail_statement = ""
    eval_idiom = "{cmd} | from json | load-env"

    def render(self, plan):
        for name, value in plan:
            if value is not None:
                self.check(name, value)
        return json.dumps(dict(plan)) + "\n"
