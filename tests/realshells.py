"""The real shells the tests drive, how to run a script in each, and how each applies our output.

Under CI=true a missing shell is a failure, not a skip: CI must prove every shell it claims.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS_BIN = [ROOT / ".tools" / "node_modules" / "@nushell" / "linux-x64" / "bin"]
DUMP_ENV = Path(__file__).resolve().parent / "dump_env.py"

# name -> (binary, argv prefix to run a script file without rc files, statement template).
# {out} is the eval'd command, {then} what runs only if applying it succeeded.
SHELLS = {
    "bash": ("bash", ["--norc", "--noprofile"], 'eval "$({out})" && {then}'),
    "zsh": ("zsh", ["-f"], 'eval "$({out})" && {then}'),
    "dash": ("dash", [], 'eval "$({out})" && {then}'),
    "ksh": ("ksh", [], 'eval "$({out})" && {then}'),
    "mksh": ("mksh", [], 'eval "$({out})" && {then}'),
    "yash": ("yash", [], 'eval "$({out})" && {then}'),
    "ash": ("busybox", ["ash"], 'eval "$({out})" && {then}'),
    "fish": ("fish", ["--no-config"], "{out} | source; and {then}"),
    "tcsh": ("tcsh", ["-f"], 'eval "`{out}`" && {then}'),
    "elvish": ("elvish", ["-norc"], "eval ({out} | slurp); {then}"),
    "xonsh": ("xonsh", ["--no-rc"], "execx($({out}))\n{then}"),
    "nu": ("nu", ["-n"], "{out} | from json | load-env; {then}"),
}


def find_binary(binary):
    path = os.pathsep.join([os.environ.get("PATH", "")] + [str(p) for p in TOOLS_BIN])
    return shutil.which(binary, path=path)


def require(name):
    """The shell's binary path; a failure under CI=true when it is missing, a skip elsewhere."""
    binary = SHELLS[name][0]
    return require_binary(binary, f"shell {name} ({binary}) is not installed; tests/run installs it")


def require_binary(binary, message):
    """``binary``'s path; a failure under CI=true when it is missing (tests/run installs what the
    tests need, so CI never hides a missing tool behind a skip), a skip elsewhere."""
    found = find_binary(binary)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def script_for(name, out, then):
    return SHELLS[name][2].format(out=out, then=then) + "\n"


def dump_command(path):
    return f"{sys.executable} {DUMP_ENV} {path}"


def run_script(name, text, env, cwd, timeout=60):
    """Run ``text`` as a script file in shell ``name``, with exactly ``env`` as its environment."""
    binary = require(name)
    script = Path(cwd) / f"script.{name}"
    script.write_text(text, encoding="utf-8")
    argv = [binary, *SHELLS[name][1], str(script)]
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
