"""Which shell to write for: --shell > $MFA_EXPORT_SHELL > shellingham > a clear error."""

from __future__ import annotations

from mfa_export.errors import UsageError
from mfa_export.shells import SHELL_NAMES, canonical_name, get_shell

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mfa_export.shells.base import Shell


def _from_process_tree() -> tuple[str | None, str | None]:
    try:
        # Imported here: it costs ~20 ms and a run with --shell (as the wrappers do) never needs it.
        import shellingham

        name, path = shellingham.detect_shell()
    except Exception:  # it raises more than ShellDetectionFailure (PsNotAvailable, OSError, ...)
        return None, None
    return canonical_name(name) or canonical_name(path or ""), name


def choose_shell(
    flag: str | None,
    environ: Mapping[str, str],
    detector: Callable[[], tuple[str | None, str | None]] = _from_process_tree,
) -> Shell:
    if flag:
        return get_shell(flag)
    if environ.get("MFA_EXPORT_SHELL"):
        return get_shell(environ["MFA_EXPORT_SHELL"])
    name, seen = detector()
    if name:
        return get_shell(name)
    what = (
        f"the calling shell ({seen}) is not one mfa-export writes for"
        if seen
        else "cannot tell which shell called mfa-export"
    )
    raise UsageError(what, "pass --shell NAME (one of: " + " ".join(SHELL_NAMES) + ") or set MFA_EXPORT_SHELL")
