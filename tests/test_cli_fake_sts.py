"""The CLI end to end over HTTP against the strict fake: every failure a user meets, with its exit
code, its one-line message, and nothing but the fail statement on stdout."""

import signal
import subprocess
import time

import pytest

from tests.conftest import cli_command, run_cli, start_and_wait_for_sts, write_aws_files

POSIX_FAIL = "false\n"


def assert_failed(result, exit_code, *phrases):
    assert result.returncode == exit_code, (result.returncode, result.stderr)
    assert result.stdout == POSIX_FAIL
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr


def test_success_prints_only_shell_code(cli, env, user, fake_aws):
    result = cli([user.code(), "--shell", "bash"], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith(("export ", "unset ")) for line in lines)
    assert fake_aws.count("GetSessionToken") == 1
    call = fake_aws.calls[-1]["params"]
    assert call["SerialNumber"] == user.serial and call["DurationSeconds"] == "43200"
    assert "account 123456789012, device alice" in result.stderr
    assert "new session" in result.stderr and "(in 11h 59m)" in result.stderr
    session = fake_aws.sessions[lines[0].split("'")[1]]
    for secret in (session.secret_access_key, session.session_token, user.secret_access_key):
        assert secret not in result.stderr


def test_wrong_code(cli, env, user):
    wrong = f"{(int(user.code()) + 1) % 1_000_000:06d}"
    assert_failed(
        cli([wrong, "--shell", "bash"], env),
        4,
        "MFA code rejected: wrong, expired or already used",
        "wait for the next code",
    )


def test_reused_code_is_rejected_like_aws(cli, env, user):
    code = user.code()
    assert cli([code, "--shell", "bash"], env).returncode == 0
    assert_failed(cli([code, "--shell", "bash", "--force"], env), 4, "already used")


def test_wrong_serial(cli, env, user):
    user.devices.append("arn:aws:iam::123456789012:mfa/other")
    result = cli([user.code(), "--shell", "bash", "-s", "arn:aws:iam::123456789012:mfa/nobody"], env)
    assert_failed(result, 4, "arn:aws:iam::123456789012:mfa/nobody was not accepted")


def test_unknown_access_key(cli, env, home, user):
    write_aws_files(
        home,
        config=f"[default]\nmfa_serial = {user.serial}\n",
        credentials="[default]\naws_access_key_id = AKIAUNKNOWN\naws_secret_access_key = x\n",
    )
    assert_failed(cli([user.code(), "--shell", "bash"], env), 4, "does not recognise access key AKIAUNKNOWN")


def test_wrong_secret(cli, env, home, user):
    write_aws_files(
        home,
        config=f"[default]\nmfa_serial = {user.serial}\n",
        credentials=f"[default]\naws_access_key_id = {user.access_key_id}\naws_secret_access_key = nope\n",
    )
    assert_failed(cli([user.code(), "--shell", "bash"], env), 4, "secret access key of profile default is wrong")


def test_profile_with_session_credentials_is_refused_before_any_call(cli, env, home, user, fake_aws):
    write_aws_files(
        home,
        config=f"[default]\nmfa_serial = {user.serial}\n",
        credentials="[default]\naws_access_key_id = ASIAX\naws_secret_access_key = y\naws_session_token = z\n",
    )
    assert_failed(cli([user.code(), "--shell", "bash"], env), 3, "holds session credentials")
    assert fake_aws.calls == []


def test_session_signed_call_gets_aws_message(cli, env, home, user, fake_aws):
    """A session's key and secret with its token left out (as a hand-edited file might hold): AWS's answer."""
    first = cli([user.code(), "--shell", "bash"], env)
    keys = dict(
        line[len("export ") :].split("=", 1) for line in first.stdout.splitlines() if line.startswith("export ")
    )
    session = fake_aws.sessions[keys["AWS_ACCESS_KEY_ID"].strip("'")]
    # Signing with the session's key and secret but no token: the fake, like AWS, knows the key.
    write_aws_files(
        home,
        config=f"[default]\nmfa_serial = {user.serial}\n",
        credentials=f"[default]\naws_access_key_id = {session.access_key_id}\n"
        f"aws_secret_access_key = {session.secret_access_key}\n",
    )
    # AWS knows the session's key, but without its token it does not recognise the key.
    assert_failed(
        cli([user.code(), "--shell", "bash"], env), 4, f"does not recognise access key {session.access_key_id}"
    )


def test_refresh_inside_a_shell_holding_an_earlier_export(cli, env, user, fake_aws):
    first = cli([user.code(), "--shell", "bash"], env)
    exported = {}
    for line in first.stdout.splitlines():
        if line.startswith("export "):
            name, value = line[len("export ") :].split("=", 1)
            exported[name] = value.strip("'")
    # The session keys are now in the environment; the profile's long-term keys must sign.
    fake_aws.advance()  # the next code
    second = cli([user.code(), "--shell", "bash", "--force"], dict(env, **exported))
    assert second.returncode == 0, second.stderr
    assert fake_aws.count("GetSessionToken") == 2
    assert fake_aws.calls[-1]["headers"].get("X-Amz-Security-Token") is None


def test_env_key_mode(cli, home, fake_aws, user):
    from tests.conftest import base_env

    env = dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=fake_aws.url,
        AWS_ENDPOINT_URL_IAM=fake_aws.url,
        AWS_ACCESS_KEY_ID=user.access_key_id,
        AWS_SECRET_ACCESS_KEY=user.secret_access_key,
        AWS_MFA_SERIAL=user.serial,
        AWS_DEFAULT_REGION="ap-south-1",
    )
    result = cli([user.code(), "--shell", "bash"], env)
    assert result.returncode == 0, result.stderr
    assert "export AWS_REGION='ap-south-1'" in result.stdout
    assert "unset MFA_EXPORT_PROFILE" in result.stdout
    assert "keys from the environment" in result.stderr


def test_env_with_session_token_and_no_profile(cli, home, user):
    from tests.conftest import base_env

    env = dict(base_env(home), AWS_ACCESS_KEY_ID="ASIAX", AWS_SECRET_ACCESS_KEY="y", AWS_SESSION_TOKEN="z")
    assert_failed(cli([user.code(), "--shell", "bash"], env), 3, "environment holds session credentials", "-p")


def test_missing_profile(cli, env, user):
    assert_failed(
        cli([user.code(), "--shell", "bash", "-p", "nope"], env), 3, "profile nope is not in", "known: default"
    )


def test_no_keys_anywhere(cli, home, user):
    from tests.conftest import base_env

    assert_failed(cli([user.code(), "--shell", "bash"], base_env(home)), 3, "no AWS credentials")


def test_profile_without_keys(cli, env, home, user):
    write_aws_files(home, config=f"[default]\nmfa_serial = {user.serial}\n", credentials="")
    assert_failed(cli([user.code(), "--shell", "bash"], env), 3, "profile default has no access keys")


@pytest.mark.parametrize(
    "args,phrase",
    [
        (["12345"], "exactly 6 digits"),
        (["abcdef"], "exactly 6 digits"),
        (["123456", "-d", "10m"], "outside what STS allows"),
        (["123456", "-d", "37h"], "outside what STS allows"),
        (["123456", "-d", "soon"], "not understood"),
        (["123456", "--bogus"], "unrecognized arguments"),
        (["123456", "-s", "bad serial!"], "not a serial number"),
    ],
)
def test_bad_input_fails_before_any_call(cli, env, fake_aws, args, phrase):
    assert_failed(cli(args + ["--shell", "bash"], env), 2, phrase)
    assert fake_aws.calls == []


def test_unknown_shell_does_not_spend_the_code(cli, env, user, fake_aws):
    result = cli([user.code(), "--shell", "cobol"], env)
    assert result.returncode == 2 and "unknown shell 'cobol'" in result.stderr
    assert result.stdout == POSIX_FAIL
    assert fake_aws.calls == []


def test_shell_from_environment_and_its_fail_statement(cli, env, user):
    result = cli(["12345"], dict(env, MFA_EXPORT_SHELL="fish"))
    assert result.returncode == 2 and result.stdout == "false\n"
    result = cli(["12345"], dict(env, MFA_EXPORT_SHELL="elvish"))
    assert result.stdout == "fail 'mfa-export failed; environment unchanged'\n"


def test_code_from_stdin(cli, env, user):
    result = cli(["-", "--shell", "bash"], env, stdin_text=user.code() + "\n")
    assert result.returncode == 0, result.stderr


def test_no_code_and_no_terminal(cli, env, user, fake_aws):
    result = subprocess.run(
        cli_command() + ["--shell", "bash"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert_failed(result, 2, "no MFA code given and no terminal")
    assert fake_aws.count("GetSessionToken") == 0


@pytest.mark.parametrize(
    "fault,exit_code,phrase",
    [
        ("500", 5, "HTTP 500"),
        ("throttle", 5, "throttled"),
    ],
)
def test_a_request_that_carried_the_code_is_never_resent(cli, env, user, fake_aws, fault, exit_code, phrase):
    """STS answered (with a fault): it may have taken the code, so sending it again could only be refused."""
    fake_aws.fail_next(fault, count=3)
    assert_failed(cli([user.code(), "--shell", "bash"], env), exit_code, phrase)
    assert fake_aws.count("GetSessionToken") == 1


def test_a_transient_fault_is_retried_when_no_code_is_sent(cli, env, home, user, fake_aws):
    role = fake_aws.add_role("admin", trusted={user.arn})
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = default\n")
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0  # the MFA session, cached
    fake_aws.fail_next("500")
    result = cli(["-p", "admin", "--shell", "bash"], env)
    assert result.returncode == 0, result.stderr
    assert fake_aws.count("AssumeRole") == 2 and fake_aws.count("GetSessionToken") == 1


def test_slow_service_still_answers(cli, env, user, fake_aws):
    fake_aws.delay = 2
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0


def test_unreachable_endpoint_fails_in_seconds(cli, env, user):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    started = time.monotonic()
    result = cli([user.code(), "--shell", "bash"], dict(env, AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{port}"))
    assert time.monotonic() - started < 15
    assert_failed(result, 5, "cannot reach AWS")


def test_ctrl_c_exits_130_with_fail_statement(env, user, fake_aws):
    fake_aws.delay = 10
    proc = start_and_wait_for_sts(fake_aws, [user.code(), "--shell", "bash"], env)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert out == POSIX_FAIL
    assert "interrupted" in err and "Traceback" not in err


class TestDeviceDiscovery:
    @pytest.fixture
    def no_serial_env(self, env, home, user):
        write_aws_files(
            home,
            config="[default]\nregion = eu-west-1\n",
            credentials=f"[default]\naws_access_key_id = {user.access_key_id}\n"
            f"aws_secret_access_key = {user.secret_access_key}\n",
        )
        return env

    def test_one_device_is_used_and_named(self, cli, no_serial_env, user, fake_aws):
        result = cli([user.code(), "--shell", "bash"], no_serial_env)
        assert result.returncode == 0, result.stderr
        assert f"using MFA device {user.serial}" in result.stderr
        assert fake_aws.count("ListMFADevices") == 1

    def test_naming_the_discovered_device_later_needs_no_new_code(self, cli, no_serial_env, home, user, fake_aws):
        assert cli([user.code(), "--shell", "bash"], no_serial_env).returncode == 0
        config = home / ".aws" / "config"
        config.write_text(config.read_text() + f"mfa_serial = {user.serial}\n")
        served = cli(["--shell", "bash"], no_serial_env)
        assert served.returncode == 0, served.stderr
        assert fake_aws.count("GetSessionToken") == 1 and "cached session" in served.stderr

    def test_several_devices_without_a_terminal(self, cli, no_serial_env, home, user):
        user.devices.append("arn:aws:iam::123456789012:mfa/alice-key")
        assert_failed(
            cli([user.code(), "--shell", "bash"], no_serial_env),
            3,
            "several MFA devices",
            "alice-key",
            "--serial-number",
            f"under [default] in {home / '.aws' / 'config'}, e.g. mfa_serial = {user.serial}",
        )

    def test_several_devices_are_offered_on_the_terminal(self, no_serial_env, home, user, fake_aws):
        import pexpect

        user.devices.append("arn:aws:iam::123456789012:mfa/alice-key")
        child = pexpect.spawn(cli_command()[0], ["--shell", "bash"], env=no_serial_env, encoding="utf-8", timeout=30)
        child.expect_exact("1) alice  (arn:aws:iam::123456789012:mfa/alice)")
        child.expect_exact("2) alice-key  (arn:aws:iam::123456789012:mfa/alice-key)")
        child.expect_exact("Which one? [1-2]: ")
        child.sendline("3")
        child.expect_exact("Which one? [1-2]: ")
        child.sendline("1")
        child.expect_exact(f"MFA code for {user.serial}: ")
        import re

        chosen = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", child.before).split())
        child.sendline(user.code())
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        assert "to skip this question, add under [default] in" in chosen and f"mfa_serial = {user.serial}" in chosen
        assert fake_aws.count("GetSessionToken") == 1

    def test_no_device(self, cli, no_serial_env, user):
        user.devices.clear()
        assert_failed(cli([user.code(), "--shell", "bash"], no_serial_env), 3, "has no MFA device")

    def test_access_denied_asks_for_the_serial(self, cli, no_serial_env, user):
        user.deny_list_devices = True
        assert_failed(cli([user.code(), "--shell", "bash"], no_serial_env), 3, "--serial-number")

    def test_aws_arn_mfa_in_credentials_file(self, cli, no_serial_env, home, user, fake_aws):
        creds = (home / ".aws" / "credentials").read_text() + f"aws_arn_mfa = {user.serial}\n"
        (home / ".aws" / "credentials").write_text(creds)
        assert cli([user.code(), "--shell", "bash"], no_serial_env).returncode == 0
        assert fake_aws.count("ListMFADevices") == 0

    def test_env_serial(self, cli, no_serial_env, user, fake_aws):
        assert cli([user.code(), "--shell", "bash"], dict(no_serial_env, AWS_MFA_SERIAL=user.serial)).returncode == 0
        assert fake_aws.count("ListMFADevices") == 0


def test_duration_is_sent(cli, env, user, fake_aws):
    assert cli([user.code(), "--shell", "bash", "-d", "1h30m"], env).returncode == 0
    assert fake_aws.calls[-1]["params"]["DurationSeconds"] == "5400"


def test_json_format(cli, env, user):
    import json

    result = cli([user.code(), "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["Version"] == 1 and doc["AccessKeyId"].startswith("ASIA") and doc["Expiration"].endswith("Z")


def test_json_format_failure_prints_nothing(cli, env):
    result = cli(["12345", "--format", "json"], env)
    assert result.returncode == 2 and result.stdout == ""


def test_quiet(cli, env, user):
    result = cli([user.code(), "--shell", "bash", "-q"], env)
    assert result.returncode == 0 and result.stderr == ""


def test_debug_masks_every_secret(cli, env, user, fake_aws):
    code = user.code()
    result = cli([code, "--shell", "bash", "--debug"], env)
    assert result.returncode == 0
    session = next(iter(fake_aws.sessions.values()))
    assert "GetSessionToken" in result.stderr and "***" in result.stderr
    for secret in (
        session.secret_access_key,
        session.session_token,
        user.secret_access_key,
        f"TokenCode={code}",
        f"'TokenCode': '{code}'",
    ):
        assert secret not in result.stderr


def test_debug_failure_shows_a_traceback(cli, env, user):
    wrong = f"{(int(user.code()) + 1) % 1_000_000:06d}"
    result = cli([wrong, "--shell", "bash", "--debug"], env)
    assert result.returncode == 4 and "Traceback" in result.stderr
    assert result.stdout == POSIX_FAIL


def test_a_closed_stdout_is_reported_not_a_traceback(env):
    proc = subprocess.Popen(
        cli_command() + ["--unset", "--shell", "bash"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 1
    assert "cannot write to stdout" in err and "Traceback" not in err


def test_a_code_with_unset_and_a_command_is_refused_before_sts(cli, env, user, fake_aws):
    result = cli([user.code(), "--unset", "--shell", "bash", "--", "true"], env)
    assert result.returncode == 2 and "do not go together" in result.stderr
    assert result.stdout == ""  # with -- COMMAND nothing is eval'ed: stdout stays empty
    assert fake_aws.calls == []


def test_the_fail_statement_follows_mfa_export_shell_after_bad_arguments(cli, env):
    from mfa_export.shells import get_shell

    result = cli(["--no-such-flag"], dict(env, MFA_EXPORT_SHELL="pwsh"))
    assert result.returncode == 2 and result.stdout == get_shell("pwsh").fail()
    assert get_shell("pwsh").fail() != POSIX_FAIL


def test_a_terminal_never_shows_the_secrets(env, user, fake_aws):
    """Bare mfa-export in a terminal: nothing can be applied, so the code is shown masked, then the hint."""
    import pexpect

    child = pexpect.spawn(cli_command()[0], [user.code(), "--shell", "bash"], env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before
    [session] = fake_aws.sessions.values()
    assert child.exitstatus == 0
    assert session.secret_access_key not in shown and session.session_token not in shown
    assert "export AWS_SESSION_TOKEN='****'" in shown and "nothing was applied" in shown
    # the session is cached: the eval the hint suggests needs no new code
    applied = run_cli(["--shell", "bash"], env)
    assert applied.returncode == 0 and session.session_token in applied.stdout


@pytest.mark.parametrize(
    "config,phrases",
    [
        (
            "sso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n[sso-session corp]\n"
            "sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
            ["signs in with AWS SSO", "aws sso login --profile work"],
        ),
        (
            'credential_process = printf \'{"Version": 1, "AccessKeyId": "ASIAX", "SecretAccessKey": "s", '
            '"SessionToken": "t"}\'\n',
            ["the credential_process of profile work gives session credentials"],
        ),
        ("region = eu-west-1\n", ["profile work has no access keys", "aws configure --profile work"]),
    ],
)
def test_messages_fit_the_kind_of_profile(cli, env, home, user, config, phrases):
    write_aws_files(home, config=f"[profile work]\nmfa_serial = {user.serial}\n{config}", credentials="")
    result = cli([user.code(), "--shell", "bash", "-p", "work"], env)
    assert_failed(result, 3, *phrases)
    assert "NAME" not in result.stderr
