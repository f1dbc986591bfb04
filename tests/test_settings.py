"""Which profile, device and region a run uses, from flags, environment and the AWS files."""

from types import SimpleNamespace

import pytest

from mfa_export.errors import ConfigError, UsageError
from mfa_export.settings import RoleStep, resolve
from tests.conftest import write_aws_files

SERIAL_A = "arn:aws:iam::111111111111:mfa/a"
SERIAL_B = "arn:aws:iam::222222222222:mfa/b"


def args(**overrides):
    values = {"profile": None, "serial_number": None, "duration": None, "region": None, "role_arn": None}
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.fixture
def files(home):
    write_aws_files(
        home,
        config=(
            f"[default]\nregion = eu-west-1\nmfa_serial = {SERIAL_A}\n"
            "[profile work]\nregion = us-west-2\n"
            f"[profile dev]\nregion = eu-north-1\nmfa_serial = {SERIAL_B}\n"
            f"[profile chained]\nsource_profile = dev\n"
        ),
        credentials=(
            "[default]\naws_access_key_id = A\naws_secret_access_key = B\n"
            f"[work]\naws_access_key_id = C\naws_secret_access_key = D\naws_arn_mfa = {SERIAL_B}\n"
            "[dev]\naws_access_key_id = E\naws_secret_access_key = F\n"
            "[chained]\naws_access_key_id = G\naws_secret_access_key = H\n"
        ),
    )
    return {"AWS_CONFIG_FILE": str(home / ".aws/config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws/credentials")}


def test_defaults(files):
    s = resolve(args(), files)
    assert (s.profile, s.serial, s.region, s.duration) == ("default", SERIAL_A, "eu-west-1", 43200)


def test_profile_order(files):
    env = dict(files, AWS_PROFILE="work", MFA_EXPORT_PROFILE="dev")
    assert resolve(args(), env).profile == "work"
    assert resolve(args(profile="dev"), env).profile == "dev"
    assert resolve(args(), dict(files, MFA_EXPORT_PROFILE="dev")).profile == "dev"


def test_serial_order(files):
    assert resolve(args(profile="work"), files).serial == SERIAL_B  # aws_arn_mfa
    assert resolve(args(profile="chained"), files).serial == SERIAL_B  # source_profile's mfa_serial
    assert resolve(args(profile="work", serial_number="GAHT12345678"), files).serial == "GAHT12345678"
    env = dict(files, AWS_MFA_SERIAL=SERIAL_A)
    assert resolve(args(profile="dev"), env).serial == SERIAL_B  # the profile beats the environment


def test_env_serial_and_discovery(home, files):
    write_aws_files(
        home, config="[default]\n", credentials="[default]\naws_access_key_id = A\naws_secret_access_key = B\n"
    )
    assert resolve(args(), dict(files, AWS_MFA_SERIAL=SERIAL_A)).serial == SERIAL_A
    s = resolve(args(), files)
    assert s.serial is None and s.serial_source == "iam:ListMFADevices"


def test_env_key_mode_ignores_the_profiles_serial(files):
    env = dict(files, AWS_ACCESS_KEY_ID="AKIA", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="sa-east-1")
    s = resolve(args(), env)
    assert s.uses_env_keys and s.serial is None and s.region == "sa-east-1"
    assert resolve(args(), dict(env, AWS_MFA_SERIAL=SERIAL_B)).serial == SERIAL_B


def test_named_profile_beats_env_keys(files):
    env = dict(files, AWS_ACCESS_KEY_ID="AKIA", AWS_SECRET_ACCESS_KEY="x", AWS_PROFILE="dev")
    assert resolve(args(), env).profile == "dev"


def test_env_with_session_token_uses_the_default_profile(files):
    env = dict(files, AWS_ACCESS_KEY_ID="ASIA", AWS_SECRET_ACCESS_KEY="x", AWS_SESSION_TOKEN="t")
    assert resolve(args(), env).profile == "default"


def test_region_order(files):
    env = dict(files, AWS_REGION="ap-east-1")
    assert resolve(args(profile="work"), env).region == "us-west-2"  # profile beats a stale export
    assert resolve(args(profile="work", region="me-south-1"), env).region == "me-south-1"
    assert resolve(args(profile="chained"), env).region == "ap-east-1"


def test_bad_serial_in_config(home, files):
    write_aws_files(
        home,
        config="[default]\nmfa_serial = not a serial\n",
        credentials="[default]\naws_access_key_id = A\naws_secret_access_key = B\n",
    )
    with pytest.raises(ConfigError) as err:
        resolve(args(), files)
    assert "mfa_serial of profile default" in str(err.value)


def test_unreadable_config(home, files):
    (home / ".aws/config").write_text("this is not ini\n")
    with pytest.raises(ConfigError) as err:
        resolve(args(), files)
    assert "cannot read" in str(err.value)


ROLE_A = "arn:aws:iam::222222222222:role/admin"
ROLE_B = "arn:aws:iam::333333333333:role/deploy"


@pytest.fixture
def role_files(home, files):
    write_aws_files(
        home,
        config=(
            f"[profile base]\nmfa_serial = {SERIAL_A}\nregion = eu-west-1\n"
            f"[profile admin]\nrole_arn = {ROLE_A}\nsource_profile = base\nexternal_id = ext-1\n"
            "role_session_name = me@example.com\nduration_seconds = 7200\nregion = us-east-2\n"
            f"[profile deploy]\nrole_arn = {ROLE_B}\nsource_profile = admin\n"
            f"[profile self]\nrole_arn = {ROLE_A}\nsource_profile = self\nmfa_serial = {SERIAL_B}\n"
            "[profile loop1]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = loop2\n"
            "[profile loop2]\nrole_arn = arn:aws:iam::222222222222:role/y\nsource_profile = loop1\n"
            "[profile orphan]\nrole_arn = arn:aws:iam::222222222222:role/x\n"
            "[profile badarn]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
        ),
        credentials="[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = B\n"
        "[self]\naws_access_key_id = SELFKEY\naws_secret_access_key = S\n",
    )
    return files


def test_role_profile(role_files):
    s = resolve(args(profile="admin"), role_files)
    assert (s.profile, s.selected, s.serial, s.region) == ("base", "admin", SERIAL_A, "us-east-2")
    assert s.roles == (RoleStep(ROLE_A, "ext-1", "me@example.com", "admin"),)
    assert (s.duration, s.mfa_duration) == (7200, 43200)
    assert s.source_identity == "key:BASEKEY"


def test_role_chain_and_its_one_hour_limit(role_files):
    s = resolve(args(profile="deploy", duration="1h"), role_files)
    assert [step.role_arn for step in s.roles] == [ROLE_A, ROLE_B] and s.profile == "base"
    with pytest.raises(UsageError) as err:
        resolve(args(profile="deploy", duration="2h"), role_files)
    assert "role chaining" in str(err.value) and "1h" in str(err.value)
    # the default for a role without duration_seconds is 1h, which a chain allows
    assert resolve(args(profile="deploy"), role_files).duration == 3600


def test_role_duration_limits(role_files):
    with pytest.raises(UsageError):
        resolve(args(profile="admin", duration="13h"), role_files)


def test_self_sourced_role(role_files):
    s = resolve(args(profile="self"), role_files)
    assert s.profile == "self" and s.serial == SERIAL_B and len(s.roles) == 1


@pytest.mark.parametrize(
    "profile,phrase",
    [
        ("loop1", "source_profile loop"),
        ("orphan", "has no source_profile"),
        ("badarn", "not a role ARN"),
    ],
)
def test_broken_role_profiles(role_files, profile, phrase):
    with pytest.raises(ConfigError) as err:
        resolve(args(profile=profile), role_files)
    assert phrase in str(err.value)


def test_role_arn_flag(role_files):
    s = resolve(args(profile="base", role_arn=ROLE_B), role_files)
    assert s.roles == (RoleStep(ROLE_B, None, None, "--role-arn"),) and s.duration == 3600
    assert resolve(args(profile="admin", role_arn=ROLE_B, duration="1h"), role_files).roles[-1].role_arn == ROLE_B
    with pytest.raises(UsageError):
        resolve(args(profile="base", role_arn="arn:aws:iam::123:user/x"), role_files)
