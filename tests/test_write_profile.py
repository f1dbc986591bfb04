"""--write-profile on a real-world credentials file: only [NAME] changes, long-term keys are sacred."""

import configparser
import os
import stat

import pytest

from mfa_export.credentials import Credentials, parse_utc
from mfa_export.credfile import CredentialsFile
from mfa_export.errors import ConfigError, OutputError
from tests.conftest import write_aws_files

MESSY = (
    "# my AWS keys -- do not share\n"
    "[default]\n"
    "aws_access_key_id = {key}\n"
    "AWS_Secret_Access_Key={secret}\n"
    "\n"
    "; old session, written by hand\n"
    "[mfa]\n"
    "Aws_Access_Key_Id   =   ASIAOLD\n"
    "aws_secret_access_key = old-secret\n"
    "aws_session_token = old-token\n"
    "    continued-old-token\n"
    "region = eu-west-3   \n"
    "# trailing comment of [mfa]\n"
    "\n"
    "[other]\n"
    "aws_access_key_id=AKIAOTHER\n"
    "aws_secret_access_key=other\n"
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


def parsed(home):
    parser = configparser.RawConfigParser()
    parser.read_string(credentials_text(home))
    return parser


def test_replaces_the_section_in_place_and_nothing_else(cli, messy_env, home, user, fake_aws):
    before = credentials_text(home)
    result = cli([user.code(), "--write-profile", "mfa"], messy_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    after = credentials_text(home)
    session = next(iter(fake_aws.sessions.values()))
    expected_section = (
        "[mfa]\n"
        f"Aws_Access_Key_Id = {session.access_key_id}\n"
        f"aws_secret_access_key = {session.secret_access_key}\n"
        f"aws_session_token = {session.session_token}\n"
        "region = eu-west-3   \n"
        f"x_security_token_expires = {session.expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "# trailing comment of [mfa]\n"
        "\n"
    )
    head, rest = before.split("[mfa]\n", 1)
    tail = "[other]\n" + rest.split("[other]\n", 1)[1]
    assert after == head + expected_section + tail
    assert stat.S_IMODE(os.stat(home / ".aws" / "credentials").st_mode) == 0o600
    assert "wrote the session to [mfa]" in result.stderr and "--profile mfa" in result.stderr
    # the AWS SDK reads it back
    assert parsed(home)["mfa"]["aws_session_token"] == session.session_token


def test_appends_a_new_section_at_the_end(cli, messy_env, home, user, fake_aws):
    before = credentials_text(home)
    assert cli([user.code(), "--write-profile", "fresh"], messy_env).returncode == 0
    after = credentials_text(home)
    assert after.startswith(before + "\n\n[fresh]\n")
    assert after.endswith("\n") and parsed(home)["fresh"]["x_security_token_expires"].endswith("Z")


def test_creates_the_file_0600(cli, env, home, user):
    (home / ".aws" / "credentials").unlink()
    env = dict(env, AWS_ACCESS_KEY_ID=user.access_key_id, AWS_SECRET_ACCESS_KEY=user.secret_access_key,
               AWS_MFA_SERIAL=user.serial)
    result = cli([user.code(), "--write-profile", "mfa"], env)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(home / ".aws" / "credentials").st_mode) == 0o600
    assert credentials_text(home).startswith("[mfa]\naws_access_key_id = ASIA")


@pytest.mark.parametrize("name,phrase", [
    ("other", "holds long-term access keys"),
    ("default", "refusing to write the session into [default]"),
])
def test_refuses_to_overwrite_keys(cli, messy_env, home, user, fake_aws, name, phrase):
    before = credentials_text(home)
    result = cli([user.code(), "--write-profile", name], messy_env)
    assert result.returncode == 3 and phrase in result.stderr
    assert credentials_text(home) == before
    assert fake_aws.calls == []  # refused before the code was spent


def test_refreshes_only_near_expiry(cli, messy_env, home, user, fake_aws):
    assert cli([user.code(), "--write-profile", "mfa", "--no-cache"], messy_env).returncode == 0
    written = credentials_text(home)
    again = cli(["--write-profile", "mfa", "--no-cache"], messy_env)  # no code needed
    assert again.returncode == 0 and "nothing written (--force replaces it)" in again.stderr
    assert credentials_text(home) == written and fake_aws.count("GetSessionToken") == 1
    fake_aws.advance()
    forced = cli([user.code(), "--write-profile", "mfa", "--force"], messy_env)
    assert forced.returncode == 0 and credentials_text(home) != written
    assert fake_aws.count("GetSessionToken") == 2


def test_crlf_files_keep_their_line_endings(tmp_path):
    path = tmp_path / "credentials"
    path.write_bytes(b"[default]\r\naws_access_key_id = A\r\naws_secret_access_key = B\r\n")
    target = CredentialsFile(str(path))
    creds = Credentials("ASIAX", "s", "t", parse_utc("2030-01-01T00:00:00Z"))
    target.write(target.with_session("mfa", creds))
    data = path.read_bytes()
    assert data.startswith(b"[default]\r\naws_access_key_id = A\r\naws_secret_access_key = B\r\n\r\n[mfa]\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_writes_through_a_symlink(tmp_path):
    real = tmp_path / "dotfiles-credentials"
    real.write_text("[x]\naws_session_token = t\n")
    link = tmp_path / "credentials"
    link.symlink_to(real)
    target = CredentialsFile(str(link))
    target.write(target.with_session("x", Credentials("ASIAX", "s", "t2", parse_utc("2030-01-01T00:00:00Z"))))
    assert link.is_symlink() and "t2" in real.read_text()


def test_duplicate_sections_are_refused(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[mfa]\na = 1\n[mfa]\nb = 2\n")
    with pytest.raises(ConfigError):
        CredentialsFile(str(path)).check_writable("mfa", set())


@pytest.mark.parametrize("value", ["line\nbreak", " edge", "cr\r"])
def test_values_an_ini_file_cannot_hold_are_refused(tmp_path, value):
    target = CredentialsFile(str(tmp_path / "credentials"))
    with pytest.raises(OutputError):
        target.with_session("mfa", Credentials("ASIAX", value, "t", parse_utc("2030-01-01T00:00:00Z")))


def test_role_session_into_a_profile(cli, env, home, user, fake_aws):
    role = fake_aws.add_role("admin", trusted={user.arn})
    write_aws_files(home, config=f"[profile base]\nmfa_serial = {user.serial}\n"
                    f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = base\n",
                    credentials=f"[base]\naws_access_key_id = {user.access_key_id}\n"
                    f"aws_secret_access_key = {user.secret_access_key}\n")
    assert cli([user.code(), "-p", "admin", "--write-profile", "admin"], env).returncode == 3  # its own profile
    result = cli([user.code(), "-p", "admin", "--write-profile", "admin-session"], env)
    assert result.returncode == 0, result.stderr
    key = parsed(home)["admin-session"]["aws_access_key_id"]
    assert fake_aws.sessions[key].role is role
