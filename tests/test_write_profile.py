"""--write-profile on real-world credentials files: only [NAME] changes, long-term keys are sacred,
edits happen under a lock on a fresh reading, and what is written works in the AWS CLI and boto3."""

import configparser
import json
import os
import resource
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mfa_export.credentials import Credentials, parse_utc
from mfa_export.errors import ConfigError
from mfa_export.inifile import IniText
from mfa_export.writeprofile import check_name, check_value
from tests.conftest import base_env, cli_command, without_root_powers, write_aws_files

MESSY = (
    "# my AWS keys -- do not share\n"
    "[default]\n"
    "aws_access_key_id = {key}\n"
    "AWS_Secret_Access_Key={secret}\n"
    "\n"
    "; old session, written by hand\n"
    "[mfa] ; my session\n"
    "Aws_Access_Key_Id   =   ASIAOLD\n"
    "aws_secret_access_key = old-secret\n"
    "aws_session_token = old-token\n"
    "    continued-old-token\n"
    "region = eu-west-3   \n"
    "# trailing comment of [mfa]\n"
    "\n"
    "[other]\n"
    "  aws_access_key_id=AKIAOTHER\n"
    "  aws_secret_access_key=other\n"
    "\n"
    "[work] ; my keys\n"
    "AWS_ACCESS_KEY_ID : AKIAWORK\n"
    "aws_secret_access_key = work\n"
    "mfa_serial = arn:aws:iam::123456789012:mfa/other"  # no final newline
)


@pytest.fixture
def messy_env(env, home, user):
    text = MESSY.format(key=user.access_key_id, secret=user.secret_access_key)
    write_aws_files(home, config=f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n", credentials=text)
    os.chmod(home / ".aws" / "credentials", 0o644)
    return env


def credentials_text(home):
    return (home / ".aws" / "credentials").read_text()


def config_text(home):
    return (home / ".aws" / "config").read_text()


def parsed(home, which="credentials"):
    parser = configparser.RawConfigParser()
    parser.read_string((home / ".aws" / which).read_text())
    return parser


def only_session(fake_aws):
    [session] = fake_aws.sessions.values()
    return session


def test_replaces_the_section_in_place_and_nothing_else(cli, messy_env, home, user, fake_aws):
    before = credentials_text(home)
    result = cli([user.code(), "--write-profile", "mfa"], messy_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    after = credentials_text(home)
    session = only_session(fake_aws)
    expected_section = (
        "[mfa] ; my session\n"
        f"Aws_Access_Key_Id = {session.access_key_id}\n"
        f"aws_secret_access_key = {session.secret_access_key}\n"
        f"aws_session_token = {session.session_token}\n"
        "region = eu-west-3   \n"
        f"x_security_token_expires = {session.expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "# trailing comment of [mfa]\n"
        "\n"
    )
    head, rest = before.split("[mfa] ; my session\n", 1)
    tail = "[other]\n" + rest.split("[other]\n", 1)[1]
    assert after == head + expected_section + tail
    assert stat.S_IMODE(os.stat(home / ".aws" / "credentials").st_mode) == 0o644  # its mode is the user's
    assert f"wrote the session to [mfa] in {home / '.aws' / 'credentials'}" in result.stderr
    assert "--profile mfa" in result.stderr
    assert parsed(home)["mfa"]["aws_session_token"] == session.session_token


def test_a_header_comment_names_the_same_section(cli, messy_env, home, user):
    """[mfa] ; my session is [mfa]: no second [mfa] is appended (botocore would refuse the file)."""
    assert cli([user.code(), "--write-profile", "mfa"], messy_env).returncode == 0
    assert [line for line in credentials_text(home).splitlines() if line.startswith("[mfa]")] == ["[mfa] ; my session"]
    IniText(credentials_text(home))  # still one valid file


def test_appends_a_new_section_at_the_end(cli, messy_env, home, user, fake_aws):
    before = credentials_text(home)
    assert cli([user.code(), "--write-profile", "fresh"], messy_env).returncode == 0
    after = credentials_text(home)
    assert after.startswith(before + "\n\n[fresh]\n")
    assert after.endswith("\n") and parsed(home)["fresh"]["x_security_token_expires"].endswith("Z")


def test_creates_the_files_0600(cli, env, home, user):
    (home / ".aws" / "credentials").unlink()
    (home / ".aws" / "config").unlink()
    env = dict(
        env,
        AWS_ACCESS_KEY_ID=user.access_key_id,
        AWS_SECRET_ACCESS_KEY=user.secret_access_key,
        AWS_MFA_SERIAL=user.serial,
        AWS_REGION="eu-central-1",
    )
    result = cli([user.code(), "--write-profile", "mfa"], env)
    assert result.returncode == 0, result.stderr
    for name in ("credentials", "config"):
        assert stat.S_IMODE(os.stat(home / ".aws" / name).st_mode) == 0o600
    assert credentials_text(home).startswith("[mfa]\naws_access_key_id = ASIA")
    assert config_text(home) == "[profile mfa]\nregion = eu-central-1\n"


# -- refusals: exit 3, the file's bytes unchanged, no code spent -------------------------------------


@pytest.mark.parametrize(
    "name,phrase",
    [
        ("other", "holds long-term access keys"),  # indented keys
        ("work", "holds long-term access keys"),  # a header comment and an upper-case key with ':'
        ("default", "refusing to write the session into [default]"),
        ("", "is empty"),
        (" mfa", "white space"),
        ("mfa ", "white space"),
        ("a]b", "holds one of"),
        ("a[b", "holds one of"),
        ("a;b", "holds one of"),
        ("a#b", "holds one of"),
        ("a=b", "holds one of"),
        ("a\nb", "line break"),
        ("a\u2028b", "line break"),
        ("a\x1cb", "line break"),
        ("a\tb", "line break or control"),
        ("DEFAULT", "default section"),
    ],
)
def test_refusals_leave_the_file_alone(cli, messy_env, home, user, fake_aws, name, phrase):
    before = (home / ".aws" / "credentials").read_bytes()
    config_before = (home / ".aws" / "config").read_bytes()
    result = cli([user.code(), "--write-profile", name], messy_env)
    assert result.returncode == 3, result.stderr
    assert phrase in result.stderr and result.stdout == ""
    assert (home / ".aws" / "credentials").read_bytes() == before
    assert (home / ".aws" / "config").read_bytes() == config_before
    assert fake_aws.calls == []  # refused before the code was spent


@pytest.mark.parametrize(
    "config_lines,phrase",
    [
        ("aws_access_key_id = AKIACONF\naws_secret_access_key = s\n", "holds long-term access keys"),
        ("role_arn = arn:aws:iam::222222222222:role/x\nsource_profile = default\n", "sets role_arn"),
        ("sso_session = corp\n", "sets sso_session"),
        ("credential_process = /bin/true\n", "sets credential_process"),
    ],
)
def test_refuses_names_botocore_would_not_read_from_the_credentials_file(
    cli, messy_env, home, user, fake_aws, config_lines, phrase
):
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + "[profile taken]\n" + config_lines)
    before = credentials_text(home)
    result = cli([user.code(), "--write-profile", "taken"], messy_env)
    assert result.returncode == 3 and phrase in result.stderr
    assert credentials_text(home) == before and fake_aws.calls == []


# What an endpoint can put in XML text (XML 1.0 has no \x0b, \x0c or \x1c-\x1e: test_check_value_unit).
@pytest.mark.parametrize(
    "value",
    [
        "tok\u2028[evil]",
        "tok\u2029x",
        "tok\x85x",
        "tok\nx",
        "tok\rx",
        "tok\x7fx",
        "tok\n[default]\naws_access_key_id = AKIAEVIL",
    ],
)
def test_values_that_would_break_lines_are_refused(cli, messy_env, home, user, fake_aws, value):
    fake_aws.hostile_credentials = {"SessionToken": value}
    before = credentials_text(home)
    result = cli([user.code(), "--write-profile", "fresh"], messy_env)
    assert result.returncode == 3, result.stderr
    assert "cannot be written to an INI file" in result.stderr
    assert credentials_text(home) == before


@pytest.mark.parametrize(
    "value",
    [
        "",
        " x",
        "x ",
        "a\0b",
        "a\u2028b",
        "a\x1fb",
        "a\x0bb",
        "a\x0cb",
        "a\x1cb",
        "a\x1db",
        "a\x1eb",
        "a\x85b",
        "a\u2029b",
    ],
)
def test_check_value_unit(value):
    with pytest.raises(ConfigError):
        check_value("aws_session_token", value)


@pytest.mark.parametrize("name", ["mfa", "work-mfa", "my name", "prod.eu_1", "ünïcode"])
def test_plain_names_pass(name):
    check_name(name)


def test_a_file_botocore_cannot_read_is_never_written(cli, messy_env, home, user, fake_aws):
    path = home / ".aws" / "credentials"
    path.write_text(credentials_text(home) + "\n[mfa]\nx = 1\n")  # [mfa] twice
    before = path.read_bytes()
    result = cli([user.code(), "--write-profile", "fresh"], messy_env)
    assert result.returncode == 3 and "appears twice" in result.stderr
    assert path.read_bytes() == before and fake_aws.calls == []


def test_byte_order_mark_is_named(cli, env, home, user, fake_aws):
    path = home / ".aws" / "credentials"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = cli([user.code(), "--write-profile", "mfa"], env)
    assert result.returncode == 3 and "byte-order mark" in result.stderr


def test_read_only_file_is_refused_before_the_code(cli, messy_env, home, user, fake_aws):
    path = home / ".aws" / "credentials"
    os.chmod(path, 0o400)
    result = cli([user.code(), "--write-profile", "fresh"], messy_env)
    assert result.returncode == 3 and "is read-only" in result.stderr
    assert fake_aws.calls == []


def test_unwritable_directory_is_refused_before_the_code(messy_env, home, user, fake_aws):
    aws = home / ".aws"
    os.chmod(aws, 0o555)
    try:
        result = subprocess.run(
            without_root_powers(cli_command() + [user.code(), "--write-profile", "fresh"]),
            env=messy_env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    finally:
        os.chmod(aws, 0o755)
    assert result.returncode == 3, result.stderr
    assert f"cannot write in {aws}" in result.stderr and fake_aws.calls == []


def test_keeps_the_owner(cli, messy_env, home, user):
    path = home / ".aws" / "credentials"
    os.chown(path, 65534, 65534)
    assert cli([user.code(), "--write-profile", "fresh"], messy_env).returncode == 0
    info = os.stat(path)
    assert (info.st_uid, info.st_gid) == (65534, 65534)
    assert stat.S_IMODE(info.st_mode) == 0o644


def _limit_file_size(limit):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_failed_write_leaves_the_old_file(messy_env, home, user, fake_aws):
    """A write that fails half-way (a file size limit, as a full disk would) leaves the old bytes and no
    temp file; the session is cached, so the next run needs no code."""
    path = home / ".aws" / "credentials"
    path.write_text(credentials_text(home) + "\n# padding\n" * 2000)
    before = path.read_bytes()
    result = subprocess.run(
        cli_command() + [user.code(), "--write-profile", "fresh"],
        env=messy_env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        preexec_fn=_limit_file_size(len(before) - 100),
    )
    assert result.returncode == 3, result.stderr
    assert "could not write" in result.stderr and "unchanged" in result.stderr
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    again = subprocess.run(
        cli_command() + ["--write-profile", "fresh"],
        env=messy_env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert fake_aws.count("GetSessionToken") == 1


def test_stale_temp_files_are_removed(cli, messy_env, home, user):
    stale = home / ".aws" / "credentials.mfa-export-99999.tmp"
    stale.write_text("[x]\naws_secret_access_key = leaked\n")
    assert cli([user.code(), "--write-profile", "fresh"], messy_env).returncode == 0
    assert not stale.exists()


def test_crlf_files_keep_their_line_endings(cli, env, home, user):
    path = home / ".aws" / "credentials"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert cli([user.code(), "--write-profile", "mfa"], env).returncode == 0
    data = path.read_bytes()
    assert b"\r\n\r\n[mfa]\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_writes_through_a_symlink(cli, env, home, user):
    real = home / "dotfiles-credentials"
    link = home / ".aws" / "credentials"
    real.write_bytes(link.read_bytes())
    link.unlink()
    link.symlink_to(real)
    assert cli([user.code(), "--write-profile", "mfa"], env).returncode == 0
    assert link.is_symlink() and "[mfa]" in real.read_text()


# -- refresh ------------------------------------------------------------------------------------------


def test_refreshes_only_near_expiry(cli, messy_env, home, user, fake_aws):
    assert cli([user.code(), "--write-profile", "mfa", "--no-cache"], messy_env).returncode == 0
    written = credentials_text(home)
    again = cli(["--write-profile", "mfa", "--no-cache"], messy_env)  # no code needed
    assert again.returncode == 0 and "nothing written (--force replaces it)" in again.stderr
    assert credentials_text(home) == written and fake_aws.count("GetSessionToken") == 1
    # --min-ttl longer than what is left: the stored session does not serve
    fake_aws.advance()
    longer = cli([user.code(), "--write-profile", "mfa", "--no-cache", "--min-ttl", "13h"], messy_env)
    assert longer.returncode == 0 and credentials_text(home) != written
    assert fake_aws.count("GetSessionToken") == 2


# -- region --------------------------------------------------------------------------------------------


def test_region_is_added_to_the_config_file(cli, messy_env, home, user):
    config_before = config_text(home)
    result = cli([user.code(), "--write-profile", "fresh", "--region", "ap-south-1"], messy_env)
    assert result.returncode == 0, result.stderr
    assert config_text(home) == config_before + "\n[profile fresh]\nregion = ap-south-1\n"
    assert f"region = ap-south-1 to [profile fresh] in {home / '.aws' / 'config'}" in result.stderr


def test_existing_region_is_never_changed(cli, messy_env, home, user):
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + "[profile fresh]  # mine\n  output = json\n  region = us-west-2\n")
    before = config.read_bytes()
    assert cli([user.code(), "--write-profile", "fresh", "--region", "ap-south-1"], messy_env).returncode == 0
    assert config.read_bytes() == before


def test_region_goes_into_an_existing_profile_section(cli, messy_env, home, user):
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + "[profile  fresh] ; mine\ns3 =\n  addressing_style = path\n# end\n")
    assert cli([user.code(), "--write-profile", "fresh", "--region", "ap-south-1"], messy_env).returncode == 0
    assert config.read_text().endswith(
        "[profile  fresh] ; mine\ns3 =\n  addressing_style = path\nregion = ap-south-1\n# end\n"
    )


# -- concurrency ----------------------------------------------------------------------------------------


def test_parallel_writers_lose_nothing(cli, messy_env, home, user, fake_aws):
    assert cli([user.code(), "--shell", "bash"], messy_env).returncode == 0  # one session in the cache
    before = credentials_text(home)

    def write(index):
        return cli(["--write-profile", f"s{index}"], messy_env)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(write, range(20)))
    assert [r.returncode for r in results] == [0] * 20, [r.stderr for r in results if r.returncode]
    after = IniText(credentials_text(home))
    assert {f"s{i}" for i in range(20)} <= set(after.sections)
    assert credentials_text(home).startswith(before)
    profiles = IniText(config_text(home))
    assert all(profiles.values(f"profile s{i}") == {"region": "eu-west-1"} for i in range(20))
    assert fake_aws.count("GetSessionToken") == 1


def test_an_edit_made_while_waiting_for_the_code_survives(messy_env, home, user, tmp_path):
    waiting, go = tmp_path / "waiting", tmp_path / "go"
    script = tmp_path / "code.sh"
    script.write_text(
        f"#!/bin/sh\ntouch {waiting}\nwhile [ ! -e {go} ]; do sleep 0.05; done\n"
        f"exec {sys.executable} -c 'from tests.totp import totp; print(totp(\"{user.seed}\"))'\n"
    )
    script.chmod(0o755)
    env = dict(messy_env, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    proc = subprocess.Popen(
        cli_command() + ["--write-profile", "fresh", "--code-command", str(script)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not waiting.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert waiting.exists()
    path = home / ".aws" / "credentials"
    rotated = credentials_text(home).replace("AKIAWORK", "AKIAROTATED") + "\n[added-meanwhile]\na = 1\n"
    path.write_text(rotated)
    go.touch()
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    after = credentials_text(home)
    assert after.startswith(rotated) and "[fresh]" in after


# -- the AWS CLI and boto3 use what was written ----------------------------------------------------------

WHOAMI = """
import boto3, json
session = boto3.Session(profile_name="mfa")
print(json.dumps([session.client("sts").get_caller_identity()["Arn"], session.region_name]))
"""


def test_the_aws_cli_and_boto3_use_the_written_profile(cli, env, home, user, fake_aws):
    config = home / ".aws" / "config"
    # Where the fake lives, in the profile itself: the tools run with no AWS_* variable at all.
    config.write_text(config.read_text() + f"[profile mfa]\nendpoint_url = {fake_aws.url}\n")
    result = cli([user.code(), "--write-profile", "mfa", "--region", "ca-central-1"], env)
    assert result.returncode == 0, result.stderr
    clean = {k: v for k, v in base_env(home).items() if not k.startswith("AWS_")}
    aws = Path(sys.executable).parent / "aws"
    identity = subprocess.run(
        [str(aws), "sts", "get-caller-identity", "--profile", "mfa", "--output", "json"],
        env=clean,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Arn"] == user.arn
    region = subprocess.run(
        [str(aws), "configure", "get", "region", "--profile", "mfa"],
        env=clean,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert region.stdout.strip() == "ca-central-1"
    boto = subprocess.run(
        [sys.executable, "-c", WHOAMI], env=clean, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert boto.returncode == 0, boto.stderr
    assert json.loads(boto.stdout) == [user.arn, "ca-central-1"]
    call = [c for c in fake_aws.calls if c["Action"] == "GetCallerIdentity"][-1]
    assert call["headers"].get("X-Amz-Security-Token") == only_session(fake_aws).session_token


def test_role_session_into_a_profile(cli, env, home, user, fake_aws):
    role = fake_aws.add_role("admin", trusted={user.arn})
    write_aws_files(
        home,
        config=f"[profile base]\nmfa_serial = {user.serial}\n"
        f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = base\n",
        credentials=f"[base]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n",
    )
    assert cli([user.code(), "-p", "admin", "--write-profile", "admin"], env).returncode == 3  # its own profile
    result = cli([user.code(), "-p", "admin", "--write-profile", "admin-session"], env)
    assert result.returncode == 0, result.stderr
    key = parsed(home)["admin-session"]["aws_access_key_id"]
    assert fake_aws.sessions[key].role is role


def test_unit_write_of_a_credentials_object(tmp_path):
    text = "[a]\n  aws_session_token = t\n      more\n"
    creds = Credentials("ASIAX", "s", "t2", parse_utc("2030-01-01T00:00:00Z"))
    edited = IniText(text).with_values("a", {"aws_session_token": creds.session_token})
    assert edited == "[a]\n  aws_session_token = t2\n"
