"""nushell cannot eval a string: it gets a JSON record for `from json | load-env` (null unsets)."""

from __future__ import annotations

import json

from mfa_export.shells.base import Shell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mfa_export.exports import Plan


class NuShell(Shell):
    name = "nu"
    # A non-zero exit already aborts the caller's pipeline; anything on stdout would be parsed.
    fail_statement = ""
    eval_idiom = "{cmd} | from json | load-env"

    # The nu wrapper cannot eval: it gets either {"env": record} to load or {"run": argv} to run.
    def render_wrapped(self, plan: Plan) -> str:
        return json.dumps({"env": json.loads(self.render(plan))}) + "\n"

    def run_command(self, argv: list[str]) -> str:
        self.check("an argument", "".join(argv))
        return json.dumps({"run": list(argv)}) + "\n"

    def render(self, plan: Plan) -> str:
        for name, value in plan:
            if value is not None:
                self.check(name, value)
        return json.dumps(dict(plan)) + "\n"
