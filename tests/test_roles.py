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
    result = cli(
        [user.code(), "--shell", "bash", "-p", "base", "--role-arn", roles["staging"].arn, "-d", "2h"], role_env
    )
    assert result.returncode == 0, result.stderr
    session = session_of(fake_aws, result)
    assert session.role is roles["staging"]
    assert next(c for c in fake_aws.calls if c["Action"] == "AssumeRole")["params"]["DurationSeconds"] == "7200"
    # the MFA session keeps its own 12 h
    assert next(c for c in fake_aws.calls if c["Action"] == "GetSessionToken")["params"]["DurationSeconds"] == "43200"


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
    named = cli(["--shell", "bash", "-p", "short", "-d", "1h"], role_env)
    assert named.returncode == 0, named.stderr
    assume = [c for c in fake_aws.calls if c["Action"] == "AssumeRole"][-1]["params"]
    assert assume["RoleSessionName"] == "deploy-bot" and assume["DurationSeconds"] == "3600"


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
