"""What each path may import, seen in sys.modules of a real run (a subprocess started as ./install's
launcher starts: `import sys`, then mfa_export.cli; pip's own launcher imports re first). Time is
measured by benchmarks/startup.py, not here; these tests keep the expensive imports off the paths
users run most.

The probes run with -S and the test environment's site-packages on PYTHONPATH: its .pth files (the
editable install's finder, coverage's start-up hook) import re, pathlib and more into every process
of this virtualenv, which would hide those imports from the check. An installed mfa-export has none.
"""

import os
import pty
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import run_cli

PROBE = r"""
import sys  # what ./install's launcher imports before mfa_export.cli
from mfa_export.cli import main
code = main(sys.argv[1:])
modules = list(sys.modules)  # before the probe itself imports anything
with open(__import__("os").environ["PROBE_OUT"], "w") as out:
    out.write(str(code) + "\n" + "\n".join(modules))
"""

# Never on any of the paths below: the AWS SDK, the old lock library and asyncio, shell detection
# (these runs pass --shell), the keyring, importlib.resources and its kin, typing, dataclasses and
# inspect, subprocess, and shutil's compression modules. (argparse, re, json and datetime are the
# standard library's own, used as they are: the package copies none of them.)
NEVER = {
    "boto3", "botocore", "filelock", "asyncio", "shellingham", "bz2", "lzma", "importlib.resources",
    "zipfile", "tempfile", "pathlib", "typing", "dataclasses", "inspect", "subprocess", "keyring",
}  # fmt: skip
CACHED = NEVER | {"json", "datetime"}  # a cache entry is read without them (cache.py's own format)
LIGHT = CACHED | {"rich", "configparser"}  # a prompt, --init, --unset: not even these


ROOT = Path(__file__).resolve().parent.parent
PYTHONPATH = os.pathsep.join(dict.fromkeys([str(ROOT), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]))
PYTHON = [sys.executable, "-S"]


def probe(env, tmp_path, args, terminal=False):
    out = tmp_path / "probe.json"
    run_env = dict(env, PROBE_OUT=str(out), PYTHONPATH=PYTHONPATH)
    if terminal:
        master, slave = pty.openpty()
        run_env.update(TERM="xterm-256color", COLUMNS="80")
        try:
            subprocess.run([*PYTHON, "-c", PROBE, *args], env=run_env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=slave, timeout=60)  # fmt: skip
        finally:
            os.close(slave)
            os.close(master)
    else:
        subprocess.run([*PYTHON, "-c", PROBE, *args], env=run_env, stdin=subprocess.DEVNULL, capture_output=True)
    code, *modules = out.read_text().split("\n")
    return int(code), set(modules)


def _already(imports):
    """What the probes' interpreter imports for ``imports`` alone."""
    text = f"import sys; {imports}; print(chr(10).join(sys.modules))"
    env = dict(os.environ, PYTHONPATH=PYTHONPATH)
    return set(subprocess.run([*PYTHON, "-c", text], env=env, capture_output=True, text=True).stdout.split())


BASE = _already("pass")
RICH = _already("import rich.console, rich.text, rich.markup")
# What argparse itself imports to print (from 3.14 its colours bring dataclasses): the stdlib's cost.
ARGPARSE = _already("import argparse; argparse.ArgumentParser().format_help()")


def top(modules, allowed=frozenset()):
    new = modules - BASE - set(allowed)
    return {m for m in new if m in NEVER | LIGHT or m.split(".")[0] in {"boto3", "botocore", "rich", "asyncio"}}


@pytest.fixture
def cached(env, user):
    assert run_cli([user.code(), "--shell", "bash"], env).returncode == 0
    return env


def test_a_cached_run_with_stderr_piped(cached, tmp_path):
    code, modules = probe(cached, tmp_path, ["--shell", "bash"])
    assert code == 0 and top(modules) & (CACHED | {"rich"}) == set()


def test_a_cached_run_on_a_terminal_imports_rich_and_no_more(cached, tmp_path):
    code, modules = probe(cached, tmp_path, ["--shell", "bash"], terminal=True)
    assert code == 0 and "rich.console" in modules
    assert top(modules, allowed=RICH) & NEVER == set()  # rich's own imports are rich's


def test_a_cached_run_with_no_color_on_a_terminal(cached, tmp_path):
    code, modules = probe(dict(cached, NO_COLOR="1"), tmp_path, ["--shell", "bash"], terminal=True)
    assert code == 0 and top(modules) & (CACHED | {"rich"}) == set()


def test_a_cached_run_of_a_role_profile_through_a_wrapper(env, fake_aws, user, home, tmp_path):
    """A role's summary line, its ARN checks, a duration from the environment and a wrapper's name."""
    role = fake_aws.add_role("admin", trusted={user.arn})
    with open(home / ".aws" / "config", "a") as config:
        config.write(f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = default\nrole_session_name = me\n")
    env = dict(env, MFA_EXPORT_DURATION="11h30m")
    assert run_cli([user.code(), "-p", "admin", "--shell", "bash"], env).returncode == 0
    code, modules = probe(env, tmp_path, ["--wrapped", "bash:mfa", "-p", "admin"])  # as the bash wrapper calls
    assert code == 0
    assert top(modules) & (CACHED | {"rich"}) == set()


@pytest.mark.parametrize(
    "args", [["--status"], ["--version"], ["--unset", "--shell", "bash"], ["--init", "bash"], ["--init", "fish"]]
)
def test_prompt_and_rc_file_paths(env, tmp_path, args):
    env = dict(env, AWS_SESSION_TOKEN="t", AWS_CREDENTIAL_EXPIRATION="2099-01-01T00:00:00Z")
    code, modules = probe(env, tmp_path, args)
    assert code == 0 and top(modules, allowed=ARGPARSE) & LIGHT == set()


def test_a_long_profile_list_on_a_terminal_needs_no_rich(env, home, tmp_path):
    """Past RICH_TABLE_ROWS profiles the table is plain on a terminal too: rich (its console is made
    only for styled output) is never imported."""
    with open(home / ".aws" / "config", "a") as config:
        config.writelines(f"[profile p{n}]\nregion = eu-west-1\n" for n in range(201))
    code, modules = probe(env, tmp_path, ["--list-profiles"], terminal=True)
    assert code == 0 and "mfa_export.profiles" in modules
    assert top(modules) & (NEVER | {"rich"}) == set()


def test_completion_of_profiles(env, tmp_path):
    code, modules = probe(env, tmp_path, ["--complete", "profiles"])
    assert code == 0 and top(modules) & (NEVER | {"rich"}) == set()


def test_the_checks_can_fail(env, user, tmp_path):
    """The same probe sees botocore on the STS path, and shellingham when no shell is named."""
    code, modules = probe(env, tmp_path, [user.code(), "--shell", "bash"])
    assert code == 0 and "botocore" in modules
    code, modules = probe(env, tmp_path, ["--unset"])
    assert "shellingham" in modules
