"""Which profile, device and region a run uses, from flags, environment and the AWS files."""

from types import SimpleNamespace

import pytest

from mfa_export.errors import ConfigError
from mfa_export.settings import resolve
from tests.conftest import write_aws_files

SERIAL_A = "arn:aws:iam::111111111111:mfa/a"
SERIAL_B = "arn:aws:iam::222222222222:mfa/b"


def args(**overrides):
    values = dict(profile=None, serial_number=None, duration=None, region=None)
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
    write_aws_files(home, config="[default]\n", credentials="[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
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
    write_aws_files(home, config="[default]\nmfa_serial = not a serial\n",
                    credentials="[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
    with pytest.raises(ConfigError) as err:
        resolve(args(), files)
    assert "mfa_serial of profile default" in str(err.value)


def test_unreadable_config(home, files):
    (home / ".aws/config").write_text("this is not ini\n")
    with pytest.raises(ConfigError) as err:
        resolve(args(), files)
    assert "cannot read" in str(err.value)


def test_role_profile_is_refused_for_now(home, files):
    write_aws_files(home, config="[profile r]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n",
                    credentials="[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
    with pytest.raises(ConfigError) as err:
        resolve(args(profile="r"), files)
    assert "-p default" in str(err.value)
