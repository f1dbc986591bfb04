"""The core on every Python: what once broke where the package leaned on CPython's internals or on
copies of the standard library (a 3.15 scanner attribute, a "[" line read as a header, "--" read as
a value, deeply nested JSON)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_aws_files
from tests.test_sessions import cache_files, exported

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mfa_export"
NESTED = "[" * 1100 + "]" * 1100


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_the_package_imports_no_private_cpython_module():
    # A private module (_json, _datetime, _signal, ...) may change in any release: 3.15's _json
    # did, and every run failed. __future__ is a statement to the compiler, not a module we use.
    private = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in PACKAGE.rglob("*.py")
        for name in _imported_modules(path)
        if name.split(".")[0].startswith("_") and name != "__future__"
    )
    assert private == []


def test_a_bracket_line_that_is_not_a_header_stays_in_its_section(tmp_path):
    # configparser's header pattern needs a closing "]": "[x = 1" is the key "[x" of [profile prod].
    from botocore.configloader import raw_config_parse

    from mfa_export.awsconfig import AwsFiles

    config = tmp_path / "config"
    config.write_text(
        "[profile prod]\nsource_profile = base\n[x = 1\nrole_arn = arn:aws:iam::222222222222:role/admin\n"
        "region = eu-central-1\n[profile base]\nregion = eu-west-1\n"
    )
    files = AwsFiles({"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    assert files.config("prod") == raw_config_parse(str(config))["profile prod"]
    assert files.config("prod")["region"] == "eu-central-1"
    assert files.config("base") == {"region": "eu-west-1"}


def test_a_role_after_a_bracket_line_is_assumed(cli, env, home, user, fake_aws):
    admin = fake_aws.add_role("admin", trusted={user.arn})
    write_aws_files(
        home,
        config=f"[profile base]\nmfa_serial = {user.serial}\n"
        f"[profile prod]\nsource_profile = base\n[x = 1\nrole_arn = {admin.arn}\nregion = eu-central-1\n",
        credentials=f"[base]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n",
    )
    result = cli([user.code(), "--shell", "bash", "-p", "prod"], env)
    assert result.returncode == 0, result.stderr
    values = exported(result.stdout)
    assert values["AWS_REGION"] == "eu-central-1"
    assert fake_aws.sessions[values["AWS_ACCESS_KEY_ID"]].role is admin


def _valued_options():
    from mfa_export.options import OPTIONS

    return [flag for option in OPTIONS if option.takes_value for flag in option.flags if flag.startswith("--")]


def test_every_valued_option_is_listed():
    flags = _valued_options()
    assert {"--profile", "--min-ttl", "--serial-number", "--format", "--add", "--init"} <= set(flags)


@pytest.mark.parametrize("flag", _valued_options())
def test_a_double_dash_value_is_a_usage_error(cli, env, flag):
    # argparse reads "--OPT=--" as [] on Python 3.9-3.12 and as "--" on 3.13 and later: neither is
    # what anyone meant, and --profile=-- once used the default profile without a word.
    result = cli([f"{flag}=--", "-q"] + ([] if flag == "--shell" else ["--shell", "bash"]), env)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and flag in lines[0], result.stderr
    assert "unexpected error" not in result.stderr
    assert result.stdout in ("", "false\n")


def test_an_option_the_mode_does_not_read_is_refused(cli, env):
    for args, phrase in (
        (["--unset", "--shell", "bash", "--", "true"], "--unset and -- COMMAND do not go together"),
        (["--status", "-p", "prod"], "--status and --profile do not go together"),
        (["--yes", "--shell", "bash"], "--yes goes only with --remove"),
    ):
        result = cli(args, env)
        assert result.returncode == 2 and phrase in result.stderr, (args, result.stderr)


def test_a_deeply_nested_cache_entry_is_ignored_and_replaced(cli, env, user, fake_aws):
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    [path] = cache_files(env)
    Path(path).write_text(NESTED)
    fake_aws.advance()
    result = cli([user.code(), "--shell", "bash"], env)
    assert result.returncode == 0, result.stderr
    assert fake_aws.count("GetSessionToken") == 2
    assert Path(path).read_text() != NESTED  # replaced by the new session
    again = cli(["--shell", "bash"], env)
    assert again.returncode == 0, again.stderr
    assert fake_aws.count("GetSessionToken") == 2


def test_an_entry_of_the_old_json_format_is_a_miss_and_cleared(cli, env, user, fake_aws):
    cache = Path(env["MFA_EXPORT_CACHE_DIR"])
    cache.mkdir(mode=0o700)
    old = cache / "0123456789abcdef.json"
    old.write_text('{"version": 1, "key": {"source": "x"}, "credentials": {}}')
    old.chmod(0o600)
    result = cli([user.code(), "--shell", "bash"], env)
    assert result.returncode == 0 and "new session" in result.stderr, result.stderr
    assert cli(["--clear-cache"], env).returncode == 0
    assert not old.exists() and cache_files(env) == []


def test_a_deeply_nested_keyring_index_is_ignored(cli, env, home):
    index = home / "data" / "mfa-export" / "keyring-profiles.json"
    index.parent.mkdir(parents=True)
    index.write_text(NESTED)
    index.chmod(0o600)
    listing = cli(["--list-profiles"], dict(env, XDG_DATA_HOME=str(home / "data")))
    assert listing.returncode == 0, listing.stderr
    assert "default" in listing.stdout + listing.stderr


@pytest.mark.parametrize("name", ["profiles.names", "profiles.listing"])
def test_a_deeply_nested_kept_file_is_ignored(cli, env, home, name):
    config = "".join(f"[profile p{n:03d}]\nregion = eu-west-1\n" for n in range(250))
    write_aws_files(home, config=config, credentials="")
    cache = Path(env["MFA_EXPORT_CACHE_DIR"])
    cache.mkdir(mode=0o700)
    kept = cache / name
    kept.write_text(NESTED + "\n")
    kept.chmod(0o600)
    completion = cli(["--complete", "profiles"], env)
    assert completion.returncode == 0, completion.stderr
    assert "p000" in completion.stdout.split() and "p249" in completion.stdout.split()
    listing = cli(["--list-profiles"], env)
    assert listing.returncode == 0, listing.stderr
    assert "p249" in listing.stdout + listing.stderr
    assert cli(["--clear-cache"], env).returncode == 0
    assert not kept.exists()  # a file of an earlier version goes with the cache


def test_the_cli_runs_on_this_python(tmp_path):
    # The smoke run of every Python CI sets up (tests/run): import and a mode that reads nothing.
    result = subprocess.run([sys.executable, "-m", "mfa_export", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("mfa-export "), result.stderr
