"""--init SHELL: print the shell's `mfa` wrapper (and completion) from the installed package.

The files live in shell/ in the source tree and are installed as the package data mfa_export.shell,
so `eval "$(mfa-export --init bash)"` works from a wheel as well as from a checkout.
"""

from __future__ import annotations

import os

from mfa_export.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mfa_export.cli import Run

_FILES = {
    "bash": ("mfa-export.bash", "completions/mfa-export.bash"),
    "zsh": ("mfa-export.zsh", "completions/_mfa-export"),
    "sh": ("mfa-export.sh",),
    "fish": ("mfa-export.fish", "completions/mfa-export.fish"),
    "tcsh": ("mfa-export.tcsh",),
    "pwsh": ("mfa-export.ps1",),
    "elvish": ("mfa-export.elv",),
    "xonsh": ("mfa-export.xsh",),
    "nu": ("mfa-export.nu",),
}
# Shells that share a file with another.
_SAME_AS = {"dash": "sh", "ksh": "sh", "mksh": "sh", "ash": "sh", "yash": "sh", "csh": "tcsh", "powershell": "pwsh"}
INIT_SHELLS = tuple(_FILES) + tuple(_SAME_AS)

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"


def read_shell_file(relative: str) -> str:
    # Installed, the package data sits in mfa_export/shell/; in a checkout, shell/ is beside the
    # package. Plain paths, not importlib.resources: that import (typing, zipfile, pathlib,
    # tempfile) cost more than the rest of --init, which rc files run at every shell start.
    here = os.path.dirname(os.path.abspath(__file__))
    for root in (os.path.join(here, "shell"), os.path.join(os.path.dirname(here), "shell")):
        try:
            with open(os.path.join(root, relative), encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            continue
    raise FileNotFoundError(f"mfa-export's shell files are missing ({relative}); reinstall mfa-export")


def init_script(shell: str, name: str = "mfa") -> str:
    from mfa_export.shells import canonical_name

    canonical = canonical_name(shell) or ""
    key = _SAME_AS.get(canonical, canonical)
    if key not in _FILES:
        raise UsageError(f"no wrapper for shell {shell!r}", "choose one of: " + " ".join(INIT_SHELLS))
    if not (name and name[0] in _LETTERS and name.strip(_LETTERS + "0123456789") == ""):  # [A-Za-z_]\w*, ASCII
        raise UsageError(f"--cmd {name!r} is not a usable command name", "use letters, digits and _")
    text = "".join(read_shell_file(path) for path in _FILES[key])
    if key == "tcsh":
        # Applied with eval "`...`", which joins lines: only the statements, no comments.
        text = "".join(line for line in text.splitlines(keepends=True) if line.strip() and not line.startswith("#"))
    if key == "sh" and canonical != "sh":
        text = text.replace("--wrapped sh:", f"--wrapped {canonical}:")
    if name == "mfa":
        return text
    import re  # rc files run --init at every shell start; only a renamed wrapper pays for re

    # The wrapper's name where the files define or register it; never mfa-export or mfa_export.
    return re.sub(r"(?<![\w-])mfa(?![\w-])", name, text)


def run(run: Run) -> str:
    """The --init mode (modes.py)."""
    assert run.args.init is not None
    return init_script(run.args.init, run.args.cmd)
