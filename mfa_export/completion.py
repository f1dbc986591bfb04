"""--complete WHAT: the candidates the shell completions in shell/completions offer, one a line."""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Sequence

    from mfa_export.cli import Run


def run(run: Run) -> str:
    """The --complete mode (modes.py); prints nothing on failure, as nothing evals it."""
    what = run.args.complete
    if what == "profiles":
        from mfa_export.awsconfig import AwsFiles

        words: Sequence[str] = AwsFiles(run.environ).profile_names()
    elif what == "shells":
        from mfa_export.shells import SHELL_NAMES

        words = SHELL_NAMES
    elif what == "init-shells":  # --init has no wrapper for cmd
        from mfa_export.init import INIT_SHELLS

        words = INIT_SHELLS
    else:
        from mfa_export.options import FORMATS

        words = FORMATS
    return "".join(f"{word}\n" for word in words)
