"""What every shell renderer provides; each shell is one small class in its own module.

A renderer turns an ordered plan of (name, value-or-None) into the text the caller evals. Values go
through the shell's own quoting; a value the shell cannot carry raises OutputError instead of being
emitted half-quoted.
"""

from __future__ import annotations

from mfa_export.errors import OutputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mfa_export.exports import Plan


class Shell:
    name = ""
    separator = "\n"
    fail_statement = "false"
    # How a user applies our output; {cmd} is the mfa-export invocation.
    eval_idiom = 'eval "$({cmd})"'

    def __init__(self, name: str | None = None) -> None:
        # One class may serve several names (bash and dash, tcsh and csh): messages name the one in use.
        if name:
            self.name = name

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def set_var(self, name: str, quoted: str) -> str:
        raise NotImplementedError

    def unset_var(self, name: str) -> str:
        raise NotImplementedError

    def refuse_reason(self, value: str) -> str | None:
        """Why ``value`` cannot be carried by this shell, or None if it can."""
        if "\0" in value:
            return "a NUL character (no environment variable can hold one)"
        return None

    def check(self, name: str, value: str) -> None:
        reason = self.refuse_reason(value)
        if reason:
            raise OutputError(
                f"{name} contains {reason}, which {self.name} output cannot carry safely",
                "nothing was exported; check the STS endpoint you are using, or choose another --shell",
            )

    def render(self, plan: Plan) -> str:
        statements = []
        for name, value in plan:
            if value is None:
                statements.append(self.unset_var(name))
            else:
                self.check(name, value)
                statements.append(self.set_var(name, self.quote(value)))
        return self.separator.join(statements) + "\n"

    def render_wrapped(self, plan: Plan) -> str:
        """Export code as this shell's `mfa` wrapper applies it (the same as for eval, but for nu)."""
        return self.render(plan)

    def fail(self) -> str:
        """The only stdout of a failed run: a statement that makes the caller's eval fail."""
        return self.fail_statement + "\n" if self.fail_statement else ""

    def wrapped_fail(self, status: int) -> str:
        """What a failed run prints for this shell's `mfa` wrapper (see shell/): most wrappers look at the
        exit status themselves and never eval it, so the usual fail statement does."""
        return self.fail()

    def run_command(self, argv: list[str]) -> str:
        """A statement that runs ``argv`` (the wrapper evals it for anything that is not an export)."""
        for arg in argv:
            self.check("an argument", arg)
        return "command " + " ".join(self.quote(arg) for arg in argv) + "\n"

    def eval_hint(self, cmd: str = "mfa-export CODE") -> str:
        return self.eval_idiom.format(cmd=cmd)


def printable_ascii_reason(value: str, allow_tab: bool = True) -> str | None:
    """Shared by shells whose safe alphabet is printable ASCII."""
    for char in value:
        if char == "\t" and allow_tab:
            continue
        if not " " <= char <= "~":
            return f"the character {char!r}"
    return None
