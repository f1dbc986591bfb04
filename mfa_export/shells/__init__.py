"""Registry of shell renderers by the names --shell, $MFA_EXPORT_SHELL and shellingham use.

Modules are imported on demand so a run pays only for the one shell it renders.
"""

from __future__ import annotations

from mfa_export.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mfa_export.shells.base import Shell

# name -> (module, class)
_REGISTRY = {
    "bash": ("posix", "PosixShell"),
    "zsh": ("posix", "PosixShell"),
    "sh": ("posix", "PosixShell"),
    "dash": ("posix", "PosixShell"),
    "ksh": ("posix", "PosixShell"),
    "mksh": ("posix", "PosixShell"),
    "ash": ("posix", "PosixShell"),
    "yash": ("posix", "PosixShell"),
    "fish": ("fish", "FishShell"),
    "tcsh": ("tcsh", "TcshShell"),
    "csh": ("tcsh", "TcshShell"),
    "pwsh": ("powershell", "PowerShell"),
    "powershell": ("powershell", "PowerShell"),
    "elvish": ("elvish", "ElvishShell"),
    "xonsh": ("xonsh", "XonshShell"),
    "nu": ("nu", "NuShell"),
    "cmd": ("cmd", "CmdShell"),
}

SHELL_NAMES = tuple(_REGISTRY)

# Other spellings seen in process names and $SHELL.
_ALIASES = {"ksh93": "ksh", "nushell": "nu", "busybox": "ash", "pwsh-preview": "pwsh"}


def canonical_name(name: str) -> str | None:
    """'/usr/bin/-bash', 'ksh93', 'pwsh.exe' -> 'bash', 'ksh', 'pwsh'; None if unknown."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower().lstrip("-")
    if base.endswith(".exe"):
        base = base[: -len(".exe")]
    base = _ALIASES.get(base, base)
    return base if base in _REGISTRY else None


def get_shell(name: str) -> Shell:
    canonical = canonical_name(name)
    if canonical is None:
        raise UsageError(f"unknown shell {name!r}", "choose one of: " + " ".join(SHELL_NAMES))
    module, cls = _REGISTRY[canonical]
    # __import__, not importlib.import_module: importlib (and warnings with it) would cost the cached path.
    shell: Shell = getattr(__import__(f"mfa_export.shells.{module}", fromlist=[cls]), cls)(canonical)
    return shell
