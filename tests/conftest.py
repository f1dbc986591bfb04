import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_sts import FakeAws
from tests.realshells import TOOLS_BIN

ROOT = Path(__file__).resolve().parent.parent


def cli_command():
    """The installed console script when there is one (that is what users run), else python -m."""
    script = shutil.which("mfa-export", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "mfa_export"]


def base_env(home):
    """A clean environment: nothing of the developer's AWS set-up leaks into a test."""
    bin_dirs = [str(Path(cli_command()[0]).parent), str(Path(sys.executable).parent)]
    path = os.pathsep.join(bin_dirs + [str(p) for p in TOOLS_BIN] + ["/usr/local/bin", "/usr/bin", "/bin"])
    return {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "MFA_EXPORT_CACHE_DIR": str(home / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
        # coverage's subprocess measurement (tests/run): each CLI run writes its own data file
        **{k: v for k, v in os.environ.items() if k.startswith("COVERAGE_") or k == "MFA_EXPORT_ROOT"},
    }


def without_root_powers(command):
    """``command`` run so that file permissions bind it: as root, without the capabilities that
    override them (root ignores mode bits otherwise); as anyone else, as it is."""
    if os.geteuid() != 0:
        return list(command)
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", *command]


def write_aws_files(home, config="", credentials=""):
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(config)
    (aws / "credentials").write_text(credentials)


def add_user_profile(home, fake, name):
    """A new user of the fake, appended to the credentials file as [name] with its device."""
    user = fake.add_user(name)
    path = home / ".aws" / "credentials"
    path.write_text(
        path.read_text() + f"[{name}]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\naws_arn_mfa = {user.serial}\n"
    )
    return user


@pytest.fixture
def fake_aws():
    fake = FakeAws().start()
    yield fake
    fake.stop()


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def user(fake_aws):
    return fake_aws.add_user("alice")


@pytest.fixture
def env(home, fake_aws, user):
    """A user 'alice' of the strict fake, as the [default] profile with its mfa_serial."""
    write_aws_files(
        home,
        config=f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n",
        credentials=f"[default]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n",
    )
    values = base_env(home)
    values["AWS_ENDPOINT_URL_STS"] = fake_aws.url
    values["AWS_ENDPOINT_URL_IAM"] = fake_aws.url
    return values


def run_cli(args, env, stdin_text=None, timeout=60):
    return subprocess.run(
        cli_command() + list(args),
        env=env,
        input=stdin_text,
        stdin=None if stdin_text is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


def start_and_wait_for_sts(fake, args, env, timeout=20):
    """Start the CLI in the background and return once its GetSessionToken reached the fake."""
    import time

    proc = subprocess.Popen(
        cli_command() + list(args),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while fake.count("GetSessionToken") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc


# Fixtures that mean a test runs the CLI as a process (or serves the fake over HTTP): what
# `tests/run --quick` leaves out, with the real-shell modules, for a loop of a few seconds.
_PROCESS_FIXTURES = {"cli", "env", "fake_aws", "readme_env", "messy_env", "process_env", "many_profiles"}
_SHELL_MODULES = {"test_integration_extras", "test_readme", "test_shell_roundtrip", "test_wrappers"}
_PROCESS_MODULES = {"test_packaging"}  # builds and installs a wheel
# Tests that need tools beyond the runtime and test-core dependencies (moto, tree-sitter, a Secret
# Service, pipx, the AWS CLI): tests/other-pythons runs everything else on the oldest and newest Python.
_TOOL_MODULES = {"test_moto_server", "test_powershell_parse", "test_keyring", "test_packaging"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in _SHELL_MODULES:
            item.add_marker(pytest.mark.shells)
        if _PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())) or module in _PROCESS_MODULES:
            item.add_marker(pytest.mark.process)
        if module in _TOOL_MODULES or "aws_cli" in item.name:
            item.add_marker(pytest.mark.tools)
