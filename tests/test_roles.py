"""Role profiles against the strict fake: AssumeRole signed by the MFA session, one code for many roles."""

import pytest

from tests.conftest import write_aws_files
from tests.test_sessions import exported


@pytest.fixture
def roles(fake_aws, user):
    admin = fake_aws.add_role("admin", trusted={user.arn}, external_id="ext-42")
    staging = fake_aws.add_role("staging", account="333333333333", trusted={user.arn})
    deploy = fake_aws.add_role("deploy", account="444444444444", trusted={admin.arn}, require_mfa=False)
    short = fake_aws.add_role("short", trusted={user.arn}, max_duration=3600)
    return {"admin": admin, "staging": staging, "deploy": deploy, "short": short}


@pytest.fixture
def role_env(env, home, user, roles):
    write_aws_files(
        home,
        config=(
            f"[profile base]\nregion = eu-west-1\nmfa_serial = {user.serial}\n"
            f"[profile admin]\nrole_arn = {roles['admin'].arn}\nsource_profile = base\nexternal_id = ext-42\n"
            "region = us-east-2\n"
            f"[profile staging]\nrole_arn = {roles['staging'].arn}\nsource_profile = base\n"
            f"[profile deploy]\nrole_arn = {roles['deploy'].arn}\nsource_profile = admin\n"
            f"[profile wrongext]\nrole_arn = {roles['admin'].arn}\nsource_profile = base\nexternal_id = nope\n"
            f"[profile short]\nrole_arn = {roles['short'].arn}\nsource_profile = base\nduration_seconds = 7200\n"
        ),
        credentials=f"[base]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n",
    )
    return env


def session_of(fake_aws, result):
    return fake_aws.sessions[exported(result.stdout)["AWS_ACCESS_KEY_ID"]]


def test_role_profile_exports_the_role_session(cli, role_env, user, fake_aws, roles):
    result = cli([user.code(), "--shell", "bash", "-p", "admin"], role_env)
    assert result.returncode == 0, result.stderr
    session = session_of(fake_aws, result)
    assert session.role is roles["admin"] and session.mfa
    values = exported(result.stdout)
    assert values["MFA_EXPORT_PROFILE"] == "admin" and values["AWS_REGION"] == "us-east-2"
    assert "role admin in account 222222222222 (session mfa-export-alice)" in result.stderr
    assert fake_aws.count("GetSessionToken") == 1 and fake_aws.count("AssumeRole") == 1
    assume = next(c for c in fake_aws.calls if c["Action"] == "AssumeRole")["params"]
    assert assume["ExternalId"] == "ext-42" and assume["DurationSeconds"] == "3600"
    assert "SerialNumber" not in assume  # the MFA session carries the MFA context


def test_switching_roles_needs_no_new_code(cli, role_env, user, fake_aws, roles):
    assert cli([user.code(), "--shell", "bash", "-p", "admin"], role_env).returncode == 0
    staging = cli(["--shell", "bash", "-p", "staging"], role_env)  # no code, no terminal
    assert staging.returncode == 0, staging.stderr
    assert session_of(fake_aws, staging).role is roles["staging"]
    assert fake_aws.count("GetSessionToken") == 1 and fake_aws.count("AssumeRole") == 2
    again = cli(["--shell", "bash", "-p", "admin"], role_env)
    assert "cached session" in again.stderr and fake_aws.count("AssumeRole") == 2


def test_the_base_profile_reuses_the_same_mfa_session(cli, role_env, user, fake_aws):
    assert cli([user.code(), "--shell", "bash", "-p", "admin"], role_env).returncode == 0
    base = cli(["--shell", "bash", "-p", "base"], role_env)
    assert base.returncode == 0 and "cached session" in base.stderr
    assert session_of(fake_aws, base).role is None


def test_role_chain(cli, role_env, user, fake_aws, roles):
    result = cli([user.code(), "--shell", "bash", "-p", "deploy"], role_env)
    assert result.returncode == 0, result.stderr
    assert session_of(fake_aws, result).role is roles["deploy"]
    assert fake_aws.count("AssumeRole") == 2
    assert "role deploy in account 444444444444" in result.stderr


def test_role_chain_duration_is_explained_before_any_call(cli, role_env, user, fake_aws):
    result = cli([user.code(), "--shell", "bash", "-p", "deploy", "-d", "2h"], role_env)
    assert result.returncode == 2 and result.stdout == "false\n"
    assert "role chaining" in result.stderr and "1h" in result.stderr
    assert fake_aws.calls == []


def test_role_max_session_duration_is_explained(cli, role_env, user):
    result = cli([user.code(), "--shell", "bash", "-p", "short"], role_env)
    assert result.returncode == 4 and "MaxSessionDuration" in result.stderr
    assert result.stdout == "false\n"


def test_wrong_external_id(cli, role_env, user):
    result = cli([user.code(), "--shell", "bash", "-p", "wrongext"], role_env)
    assert result.returncode == 4 and "not allowed to assume arn:aws:iam::222222222222:role/admin" in result.stderr
    assert "trust policy" in result.stderr


def test_role_arn_flag(cli, role_env, user, fake_aws, roles):
    """-d 2h on a first-hop role: AWS allows more than 1 h only to an AssumeRole signed with the
    long-term keys and a code, so that is the one call made (no MFA session)."""
    result = cli(
        [user.code(), "--shell", "bash", "-p", "base", "--role-arn", roles["staging"].arn, "-d", "2h"], role_env
    )
    assert result.returncode == 0, result.stderr
    session = session_of(fake_aws, result)
    assert session.role is roles["staging"] and session.mfa
    [assume] = [c for c in fake_aws.calls if c["Action"] == "AssumeRole"]
    assert assume["params"]["DurationSeconds"] == "7200" and assume["params"]["SerialNumber"] == user.serial
    assert fake_aws.signer(assume) == user.access_key_id  # the long-term key, not a session
    assert fake_aws.count("GetSessionToken") == 0 and fake_aws.refused() == []


def test_role_exec_mode(cli, role_env, user, fake_aws, roles):
    result = cli([user.code(), "-p", "admin", "--", "sh", "-c", 'printf %s "$AWS_ACCESS_KEY_ID"'], role_env)
    assert fake_aws.sessions[result.stdout].role is roles["admin"]


def test_role_duration_and_session_name_are_sent(cli, role_env, home, user, fake_aws, roles):
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + "role_session_name = deploy-bot\n")  # into [profile short]
    result = cli([user.code(), "--shell", "bash", "-p", "staging", "-d", "12h"], role_env)
    assert result.returncode == 0, result.stderr
    assume = next(c for c in fake_aws.calls if c["Action"] == "AssumeRole")["params"]
    assert assume["DurationSeconds"] == "43200" and assume["RoleSessionName"] == "mfa-export-alice"
    fake_aws.advance()
    named = cli([user.code(), "--shell", "bash", "-p", "short", "-d", "1h"], role_env)
    assert named.returncode == 0, named.stderr
    assume = [c for c in fake_aws.calls if c["Action"] == "AssumeRole"][-1]["params"]
    assert assume["RoleSessionName"] == "deploy-bot" and assume["DurationSeconds"] == "3600"
    assert fake_aws.refused() == []


def test_a_role_session_is_renewed_without_a_code(cli, role_env, user, fake_aws, roles):
    """Role sessions last an hour: that is no warning, and --force renews one with the cached MFA session."""
    first = cli([user.code(), "--shell", "bash", "-p", "admin"], role_env)
    assert first.returncode == 0, first.stderr
    assert "run with --force" not in first.stderr and "new MFA code" not in first.stderr
    assert "renew it with --force: no MFA code needed until" in first.stderr
    again = cli(["--shell", "bash", "-p", "admin"], role_env)  # cached: no code, same advice
    assert again.returncode == 0 and "no MFA code needed until" in again.stderr
    renewed = cli(["--shell", "bash", "-p", "admin", "--force"], role_env)  # no code given, no terminal
    assert renewed.returncode == 0, renewed.stderr
    assert fake_aws.count("AssumeRole") == 2 and fake_aws.count("GetSessionToken") == 1
    assert session_of(fake_aws, renewed) is not session_of(fake_aws, first)
    # --force-mfa renews the MFA session as well: that needs a code
    no_code = cli(["--shell", "bash", "-p", "admin", "--force-mfa"], role_env)
    assert no_code.returncode == 2 and fake_aws.count("GetSessionToken") == 1
    fake_aws.advance()
    both = cli([user.code(), "--shell", "bash", "-p", "admin", "--force-mfa"], role_env)
    assert both.returncode == 0, both.stderr
    assert fake_aws.count("GetSessionToken") == 2 and fake_aws.count("AssumeRole") == 3


def test_the_cache_serves_what_was_asked(cli, role_env, user, fake_aws):
    first = cli([user.code(), "--shell", "bash", "-p", "base", "-d", "1h"], role_env)
    assert first.returncode == 0, first.stderr
    # -d 2h: the cached 1h session cannot serve, and a new MFA session needs a code (none here)
    longer = cli(["--shell", "bash", "-p", "base", "-d", "2h"], role_env)
    assert (
        longer.returncode == 2 and "less than -d asks (120m)" in longer.stderr and "needs an MFA code" in longer.stderr
    )
    fake_aws.advance()
    renewed = cli([user.code(), "--shell", "bash", "-p", "base", "-d", "2h"], role_env)
    assert renewed.returncode == 0 and fake_aws.count("GetSessionToken") == 2
    # -d 15m: the cached 2h session serves, with a note that it lasts longer
    shorter = cli(["--shell", "bash", "-p", "base", "-d", "15m"], role_env)
    assert shorter.returncode == 0 and "lasts longer than -d asks" in shorter.stderr
    assert fake_aws.count("GetSessionToken") == 2


def test_a_role_cached_for_one_profile_serves_the_chain_of_another(cli, role_env, user, fake_aws, roles):
    assert cli([user.code(), "--shell", "bash", "-p", "admin"], role_env).returncode == 0
    deploy = cli(["--shell", "bash", "-p", "deploy"], role_env)
    assert deploy.returncode == 0, deploy.stderr
    assert session_of(fake_aws, deploy).role is roles["deploy"]
    assumed = [c["params"]["RoleArn"] for c in fake_aws.calls if c["Action"] == "AssumeRole"]
    assert assumed == [roles["admin"].arn, roles["deploy"].arn]  # admin's session was not assumed again


def test_clear_cache_for_a_profile_removes_what_it_would_use(cli, role_env, user, fake_aws):
    assert cli([user.code(), "--shell", "bash", "-p", "admin"], role_env).returncode == 0
    assert cli(["--shell", "bash", "-p", "base"], role_env).returncode == 0  # served from the cache
    cleared = cli(["--clear-cache", "-p", "base"], role_env)
    assert cleared.returncode == 0 and "removed 1 cached session of profile base" in cleared.stderr
    assert cli(["--shell", "bash", "-p", "base"], role_env).returncode == 2  # a code is needed again
    cleared = cli(["--clear-cache", "-p", "admin"], role_env)
    assert "removed 1 cached session of profile admin" in cleared.stderr  # its role session


# -- role sessions as AWS grants them: more than 1 h needs a code on AssumeRole ------------------------


@pytest.fixture
def long_roles(fake_aws, user, home, env):
    """A role allowing 12 h, one profile asking for all of it, a chain, and keys in the files."""
    long = fake_aws.add_role("long", trusted={user.arn}, max_duration=43200)
    hop = fake_aws.add_role("hop", account="444444444444", trusted={long.arn}, require_mfa=False)
    write_aws_files(
        home,
        config=(
            f"[profile base]\nregion = eu-west-1\nmfa_serial = {user.serial}\n"
            f"[profile long]\nrole_arn = {long.arn}\nsource_profile = base\n"
            f"[profile allday]\nrole_arn = {long.arn}\nsource_profile = base\nduration_seconds = 43200\n"
            f"[profile hop]\nrole_arn = {hop.arn}\nsource_profile = long\n"
        ),
        credentials=f"[base]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n",
    )
    return env, long, hop


def _sts(fake_aws, key_id, secret, token=None):
    import boto3

    return boto3.client(
        "sts",
        endpoint_url=fake_aws.url,
        region_name="eu-west-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def _works_with_boto3(result, fake_aws):
    values = exported(result.stdout)
    client = _sts(fake_aws, values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"], values["AWS_SESSION_TOKEN"])
    return client.get_caller_identity()["Arn"]


def test_a_profile_asking_for_12h_assumes_with_its_own_code(cli, long_roles, user, fake_aws):
    env, _, _ = long_roles
    result = cli([user.code(), "--shell", "bash", "-p", "allday"], env)
    assert result.returncode == 0, result.stderr
    [assume] = [c for c in fake_aws.calls if c["Action"] == "AssumeRole"]
    assert assume["params"]["DurationSeconds"] == "43200" and "TokenCode" in assume["params"]
    assert fake_aws.signer(assume) == user.access_key_id and fake_aws.refused() == []
    assert ":assumed-role/long/" in _works_with_boto3(result, fake_aws)
    # cached as its own entry: served without a code while it lasts
    again = cli(["--shell", "bash", "-p", "allday"], env)
    assert again.returncode == 0 and "cached session" in again.stderr, again.stderr
    assert fake_aws.count("AssumeRole") == 1


def test_2h_on_a_role_whose_1h_session_is_cached_needs_a_code(cli, long_roles, user, fake_aws):
    env, _, _ = long_roles
    assert cli([user.code(), "--shell", "bash", "-p", "long"], env).returncode == 0  # 1 h, via the MFA session
    first = next(c for c in fake_aws.calls if c["Action"] == "AssumeRole")
    assert first["params"]["DurationSeconds"] == "3600" and fake_aws.signer(first).startswith("ASIA")
    assert cli(["--shell", "bash", "-p", "long"], env).returncode == 0  # the 1 h session: no code
    longer = cli(["--shell", "bash", "-p", "long", "-d", "2h"], env)  # no code, no terminal
    assert longer.returncode == 2, longer.stderr
    assert "1h" in longer.stderr and "-d 1h" in longer.stderr and "mfa-export 123456" in longer.stderr
    assert fake_aws.count("AssumeRole") == 1  # nothing was sent
    fake_aws.advance()
    granted = cli([user.code(), "--shell", "bash", "-p", "long", "-d", "2h"], env)
    assert granted.returncode == 0, granted.stderr
    last = [c for c in fake_aws.calls if c["Action"] == "AssumeRole"][-1]
    assert last["params"]["DurationSeconds"] == "7200" and fake_aws.signer(last) == user.access_key_id
    assert fake_aws.refused() == [] and ":assumed-role/long/" in _works_with_boto3(granted, fake_aws)


def test_2h_on_a_chain_is_refused_before_any_call(cli, long_roles, user, fake_aws):
    env, _, _ = long_roles
    result = cli([user.code(), "--shell", "bash", "-p", "hop", "-d", "2h"], env)
    assert result.returncode == 2 and "role chaining" in result.stderr, result.stderr
    assert fake_aws.calls == []


def test_the_default_hour_needs_no_code_while_the_mfa_session_lasts(cli, long_roles, user, fake_aws):
    env, _, _ = long_roles
    assert cli([user.code(), "--shell", "bash", "-p", "base"], env).returncode == 0
    for profile in ("long", "hop"):
        result = cli(["--shell", "bash", "-p", profile], env)
        assert result.returncode == 0, result.stderr
    assert fake_aws.count("GetSessionToken") == 1 and fake_aws.refused() == []
    assert all(c["params"]["DurationSeconds"] == "3600" for c in fake_aws.calls if c["Action"] == "AssumeRole")


def test_the_fake_refuses_a_long_session_from_the_mfa_session(long_roles, user, fake_aws):
    """The rule the fake once lacked: AWS's answer to a 2 h AssumeRole signed by GetSessionToken's credentials."""
    import botocore.exceptions

    client = _sts(fake_aws, user.access_key_id, user.secret_access_key)
    mfa = client.get_session_token(SerialNumber=user.serial, TokenCode=user.code())["Credentials"]
    signed = _sts(fake_aws, mfa["AccessKeyId"], mfa["SecretAccessKey"], mfa["SessionToken"])
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        signed.assume_role(RoleArn=long_roles[1].arn, RoleSessionName="probe", DurationSeconds=7200)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError" and "1 hour session limit" in error["Message"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_prompt_says_why_a_long_role_session_needs_a_code(cli, long_roles, user, fake_aws, tmp_path):
    import pexpect

    from tests.conftest import cli_command

    env, _, _ = long_roles
    assert cli([user.code(), "--shell", "bash", "-p", "base"], env).returncode == 0  # an MFA session is cached
    fake_aws.advance()
    out = tmp_path / "out"
    command = f"{cli_command()[0]} --shell bash -p long -d 2h > {out}"
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env, encoding="utf-8", timeout=30)
    child.expect_exact("needs an MFA code of its own: AWS limits a role assumed with the cached MFA session to 1h")
    child.expect_exact(f"MFA code for {user.serial}: ")
    child.sendline(user.code())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and out.read_text().startswith("export AWS_ACCESS_KEY_ID=")
    assert fake_aws.count("GetSessionToken") == 1 and fake_aws.refused() == []
    # --force renews it, which again takes a code (none here, no terminal: refused before any call)
    forced = cli(["--shell", "bash", "-p", "long", "-d", "2h", "--force"], env)
    assert forced.returncode == 2 and "-d 1h" in forced.stderr
