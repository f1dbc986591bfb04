"""--format json / dotenv / github, and the credential_process contract with real boto3 and the AWS CLI."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_export import formats
from mfa_export.errors import OutputError, UsageError
from tests.conftest import write_aws_files


def test_dotenv(cli, env, user, fake_aws):
    result = cli([user.code(), "--format", "dotenv"], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "MFA_EXPORT_PROFILE",
    ]
    session = next(iter(fake_aws.sessions.values()))
    assert f"AWS_SESSION_TOKEN={session.session_token}" in lines
    assert not any(line.startswith("#") for line in lines)


def test_dotenv_is_read_by_docker_style_parsing(cli, env, user):
    """docker --env-file takes everything after the first '=' literally."""
    result = cli([user.code(), "--format", "dotenv"], env)
    parsed = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert parsed["AWS_REGION"] == "eu-west-1"


@pytest.mark.parametrize("value", ["a b", "a'b", 'a"b', "a$b", "a#b", "a\\b", "a\nb", " a", "a\u00e9"])
def test_dotenv_refuses_what_readers_disagree_on(value):
    with pytest.raises(OutputError):
        formats.dotenv([("AWS_SESSION_TOKEN", value)])


def test_dotenv_refusal_end_to_end(cli, env, user, fake_aws):
    fake_aws.hostile_credentials = {"SessionToken": "tok$(id)"}
    result = cli([user.code(), "--format", "dotenv"], env)
    assert result.returncode == 6 and result.stdout == ""


def test_github_appends_and_masks(cli, env, user, fake_aws, tmp_path):
    github_env = tmp_path / "github_env"
    github_env.write_text("EARLIER=1\n")
    result = cli([user.code(), "--format", "github"], dict(env, GITHUB_ENV=str(github_env)))
    assert result.returncode == 0, result.stderr
    session = next(iter(fake_aws.sessions.values()))
    assert result.stdout == (f"::add-mask::{session.secret_access_key}\n::add-mask::{session.session_token}\n")
    entries = parse_github_env(github_env.read_text())
    assert entries["EARLIER"] == "1"
    assert entries["AWS_SESSION_TOKEN"] == session.session_token
    assert entries["MFA_EXPORT_PROFILE"] == "default"


def parse_github_env(text):
    """The runner's reading of $GITHUB_ENV: NAME=value lines and NAME<<DELIMITER heredocs."""
    values, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif line:
            name, value = line.split("=", 1)
            values[name] = value
            i += 1
        else:
            i += 1
    return values


def test_github_hostile_values_stay_values(cli, env, user, fake_aws, tmp_path):
    evil = "x\nAWS_REGION=evil\nghadelimiter_fake\n::set-env name=X::1\n%0A"
    fake_aws.hostile_credentials = {"SecretAccessKey": evil}
    github_env = tmp_path / "github_env"
    result = cli([user.code(), "--format", "github"], dict(env, GITHUB_ENV=str(github_env)))
    assert result.returncode == 0, result.stderr
    entries = parse_github_env(github_env.read_text())
    assert entries["AWS_SECRET_ACCESS_KEY"] == evil and entries["AWS_REGION"] == "eu-west-1"
    # every workflow command stays on its own line, with the value escaped
    for line in result.stdout.splitlines():
        assert line.startswith("::add-mask::")
    assert "::add-mask::x%0AAWS_REGION=evil%0Aghadelimiter_fake%0A::set-env name=X::1%0A%250A" in result.stdout


def test_github_without_github_env(cli, env, user, fake_aws):
    result = cli([user.code(), "--format", "github"], env)
    assert result.returncode == 2 and "GITHUB_ENV" in result.stderr and result.stdout == ""
    assert fake_aws.calls == []


def test_github_unit_refuses_cr(tmp_path):
    with pytest.raises(OutputError):
        formats.github([("AWS_SESSION_TOKEN", "a\rb")], {"GITHUB_ENV": str(tmp_path / "f")})
    with pytest.raises(UsageError):
        formats.github([("A", "b")], {})


# -- credential_process ------------------------------------------------------------------------------


@pytest.fixture
def process_env(env, home, user):
    """[profile viaproc] gets its credentials from mfa-export on the long-term [default] profile."""
    config = home / ".aws" / "config"
    config.write_text(
        config.read_text() + "[profile viaproc]\nregion = eu-west-1\n"
        "credential_process = mfa-export --format json --profile default\n"
    )
    return env


BOTO3_WHOAMI = """
import boto3
print(boto3.Session(profile_name="viaproc").client("sts").get_caller_identity()["Arn"])
"""


def test_credential_process_for_boto3(env, process_env, user, fake_aws):
    first = subprocess.run(cli_mfa(user.code()), env=process_env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr  # a session in the cache
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_WHOAMI], env=process_env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == user.arn
    assert fake_aws.count("GetSessionToken") == 1  # served from the cache
    identity_call = next(c for c in fake_aws.calls if c["Action"] == "GetCallerIdentity")
    assert identity_call["headers"].get("X-Amz-Security-Token")  # signed with the session


def cli_mfa(code):
    from tests.conftest import cli_command

    return cli_command() + [code, "--shell", "bash", "-q"]


def test_credential_process_for_the_aws_cli(process_env, user, fake_aws):
    aws = Path(sys.executable).parent / "aws"
    subprocess.run(cli_mfa(user.code()), env=process_env, check=True, capture_output=True)
    result = subprocess.run(
        [str(aws), "sts", "get-caller-identity", "--profile", "viaproc", "--output", "json"],
        env=process_env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"] == user.arn


def test_credential_process_prompts_on_the_terminal(process_env, user, fake_aws):
    import pexpect

    child = pexpect.spawn(sys.executable, ["-c", BOTO3_WHOAMI], env=process_env, encoding="utf-8", timeout=60)
    child.expect_exact(f"MFA code for {user.serial}: ")
    child.sendline(user.code())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and user.arn in child.before


def test_credential_process_without_terminal_fails_clearly(process_env, user):
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_WHOAMI],
        env=process_env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert result.returncode != 0
    assert "no MFA code given and no terminal" in result.stderr


def test_credential_process_on_itself_is_refused(cli, env, home, user):
    config = home / ".aws" / "config"
    config.write_text(
        f"[profile loop]\ncredential_process = mfa-export --format json --profile loop\nmfa_serial = {user.serial}\n"
    )
    result = cli([user.code(), "-p", "loop", "--format", "json"], env, timeout=60)
    assert result.returncode == 3 and result.stdout == ""
    assert "come from mfa-export itself" in result.stderr


# -- --list-profiles ---------------------------------------------------------------------------------


@pytest.fixture
def many_profiles(env, home, user, fake_aws):
    role = fake_aws.add_role("admin", trusted={user.arn})
    write_aws_files(
        home,
        config=(
            f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n"
            f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = default\n"
            "[profile proc]\ncredential_process = mfa-export --format json\n"
            "[profile broken]\nrole_arn = arn:aws:iam::222222222222:role/x\n"
        ),
        credentials=(
            f"[default]\naws_access_key_id = {user.access_key_id}\n"
            f"aws_secret_access_key = {user.secret_access_key}\n"
            "[written]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\n"
            "x_security_token_expires = 2030-01-01T00:00:00Z\n"
        ),
    )
    return env, role


def test_list_profiles_json(cli, many_profiles, user):
    env, role = many_profiles
    assert cli([user.code(), "--shell", "bash", "-p", "admin"], env).returncode == 0
    result = cli(["--list-profiles", "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"default", "admin", "proc", "broken", "written"}
    assert rows["admin"]["kind"] == "role" and rows["admin"]["role_arn"] == role.arn
    assert rows["admin"]["mfa_serial"] == user.serial and rows["admin"]["source_profile"] == "default"
    assert 3500 < rows["admin"]["seconds_left"] <= 3600
    assert rows["default"]["seconds_left"] > 43000  # the MFA session the role was made with
    assert rows["written"]["kind"] == "session" and rows["written"]["expires"] == "2030-01-01T00:00:00Z"
    assert "no source_profile" in rows["broken"]["problem"]
    assert rows["proc"]["kind"] == "process"


def test_the_listing_follows_the_files_and_keeps_nothing(cli, many_profiles, home):
    """--list-profiles reads the files each time: a change is seen at once, and nothing beside the
    sessions holds a copy to go stale or be forged."""
    env, role = many_profiles

    def listed(run_env=env):
        result = cli(["--list-profiles", "--format", "json"], run_env)
        assert result.returncode == 0, result.stderr
        return {row["name"]: row for row in json.loads(result.stdout)}

    first = listed()
    config = home / ".aws" / "config"
    config.write_text(config.read_text().replace(role.arn, role.arn[:-5] + "other"))  # same size
    assert listed()["admin"]["role_arn"] == role.arn[:-5] + "other"
    assert listed(dict(env, AWS_MFA_SERIAL="arn:aws:iam::123456789012:mfa/envdevice"))["proc"] != first["proc"]
    kept = os.listdir(home / "cache") if (home / "cache").exists() else []
    assert [name for name in kept if not name.endswith((".json", ".lock"))] == []


def test_list_profiles_table_on_stderr(cli, many_profiles):
    env, _ = many_profiles
    result = cli(["--list-profiles"], env)
    assert result.returncode == 0 and result.stdout == ""
    header, *rows = result.stderr.splitlines()
    assert re.match(r"profile\s+kind\s+keys\s+MFA device\s+role\s+session", header)
    assert any(row.startswith("admin") and "arn:aws:iam::222222222222:role/admin" in row for row in rows)


def test_list_profiles_imports_no_boto3(many_profiles):
    from tests.test_sessions import _probe

    env, _ = many_profiles
    assert _probe(["--list-profiles", "-f", "json"], env)["heavy"] == []


def test_github_masks_every_line_of_a_multi_line_secret(cli, env, user, fake_aws, tmp_path):
    fake_aws.hostile_credentials = {"SessionToken": "first-part\nsecond-part\nthird-part"}
    result = cli([user.code(), "--format", "github"], dict(env, GITHUB_ENV=str(tmp_path / "github_env")))
    assert result.returncode == 0, result.stderr
    masks = [line[len("::add-mask::") :] for line in result.stdout.splitlines()]
    for part in ("first-part", "second-part", "third-part"):
        assert part in masks  # GitHub masks line by line: each line needs its own mask


def test_completion_reads_the_files_at_every_tab(cli, env, home):
    """Completion lists what the files hold now, however many profiles, and keeps no copy."""

    def completed():
        result = cli(["--complete", "profiles"], env)
        assert result.returncode == 0 and result.stderr == ""
        return result.stdout.splitlines()

    assert "default" in completed()
    config = home / ".aws" / "config"
    with open(config, "a") as handle:
        handle.writelines(f"[profile p{n:03d}]\nregion = eu-west-1\n" for n in range(250))
    assert len(completed()) == 251
    with open(config, "a") as handle:
        handle.write("[profile newer]\n")
    assert "newer" in completed()
    assert not (home / "cache").exists() or os.listdir(home / "cache") == []
