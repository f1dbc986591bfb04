"""Long-term keys in a real OS keyring: Debian's gnome-keyring, a Secret Service, running headless
inside dbus-run-session with an unlocked login collection, one per test. The strict fake verifies
every signature with the secret, so a key that did not come back from the keyring whole cannot
sign; it also plays IAM for --rotate."""

import json
import os
import signal
import subprocess
import sys
import time

import pexpect
import pytest

from tests.conftest import cli_command, run_cli, write_aws_files
from tests.realshells import require_binary
from tests.test_import_budgets import probe

PASSWORD = "test"  # of the test login collection


def _require(binary):
    return require_binary(binary, f"{binary} is not installed; tests/run installs gnome-keyring and dbus")


class SecretService:
    """A session bus and a gnome-keyring-daemon on it, storing under the test's HOME."""

    def __init__(self, home, runtime):
        runtime.mkdir(mode=0o700)
        self.env = {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_RUNTIME_DIR": str(runtime),
            "PATH": "/usr/bin:/bin",
        }
        # The bus is dbus-run-session's, as on a desktop-less machine: its child only reports the
        # address and waits; killing the process group ends the bus, and gnome-keyring with it.
        address_file = runtime / "bus-address"
        self.session = subprocess.Popen(
            [
                _require("dbus-run-session"),
                "--",
                "sh",
                "-c",
                'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS" > "$1.tmp" && mv "$1.tmp" "$1" && exec sleep 3600',
                "sh",
                str(address_file),
            ],
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            if address_file.exists():
                break
            time.sleep(0.05)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address_file.read_text().strip()
        self.start(unlock=True)

    def start(self, unlock):
        args = [_require("gnome-keyring-daemon"), "--daemonize", "--components=secrets", "--replace"]
        subprocess.run(
            args + (["--unlock"] if unlock else []),
            env=self.env,
            input=PASSWORD if unlock else None,
            stdin=None if unlock else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )

    def item(self, profile):
        """The keyring's item for ``profile``, read by keyring itself in a separate process."""
        code = f"import keyring; print(keyring.get_password('mfa-export', {profile!r}))"
        result = subprocess.run([sys.executable, "-c", code], env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        value = result.stdout.strip()
        return None if value == "None" else json.loads(value)

    def stop(self):
        # gnome-keyring-daemon leaves with its bus.
        try:
            os.killpg(self.session.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.session.wait(timeout=30)


@pytest.fixture
def keyring_service(home, tmp_path):
    service = SecretService(home, tmp_path / "run")
    yield service
    service.stop()


@pytest.fixture
def kenv(env, keyring_service):
    return dict(env, **{k: keyring_service.env[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")})


CREDENTIALS = """# my keys
[default]
aws_access_key_id = {key}
region_note = kept
aws_secret_access_key = {secret}
; a comment that stays

[other]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other-secret
"""


def credentials_text(user):
    return CREDENTIALS.format(key=user.access_key_id, secret=user.secret_access_key)


@pytest.fixture
def stored(kenv, home, user, keyring_service):
    """doug's keys moved from the credentials file into the keyring."""
    path = home / ".aws" / "credentials"
    path.write_text(credentials_text(user))
    result = run_cli(["--add", "default"], kenv)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    return kenv


def test_add_moves_the_keys_from_the_file_into_the_keyring(stored, home, user, keyring_service, fake_aws):
    text = (home / ".aws" / "credentials").read_text()
    assert user.secret_access_key not in text and user.access_key_id not in text
    expected = credentials_text(user).replace(f"aws_access_key_id = {user.access_key_id}\n", "", 1)
    assert text == expected.replace(f"aws_secret_access_key = {user.secret_access_key}\n", "", 1)
    assert keyring_service.item("default") == {
        "aws_access_key_id": user.access_key_id,
        "aws_secret_access_key": user.secret_access_key,
    }
    assert fake_aws.count("GetCallerIdentity") == 1  # verified before anything changed


def test_keyring_keys_sign_exports_and_role_chains(stored, home, user, fake_aws):
    fake_aws.add_role("admin", trusted={user.arn})
    (home / ".aws" / "config").write_text(
        (home / ".aws" / "config").read_text()
        + "[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = default\n"
    )
    result = run_cli([user.code(), "--shell", "bash"], stored)
    assert result.returncode == 0, result.stderr
    assert "export AWS_SESSION_TOKEN=" in result.stdout
    assert fake_aws.count("GetSessionToken") == 1  # the fake checked the signature with the secret
    role = run_cli(["-p", "prod", "--shell", "bash"], stored)  # the cached MFA session signs AssumeRole
    assert role.returncode == 0, role.stderr
    assert fake_aws.count("AssumeRole") == 1 and fake_aws.count("GetSessionToken") == 1
    listing = run_cli(["--list-profiles", "-f", "json"], stored)
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["default"]["keys"] == "keyring" and rows["default"]["kind"] == "keys"
    assert rows["other"]["keys"] == "file" and rows["prod"]["keys"] == "none"
    assert user.secret_access_key not in listing.stdout + listing.stderr


def test_a_long_role_session_is_signed_with_the_keyring_keys_and_a_code(stored, home, user, fake_aws):
    """More than 1 h of a role: AssumeRole with the long-term keys (here the keyring's) and a code."""
    fake_aws.add_role("admin", trusted={user.arn}, max_duration=43200)
    (home / ".aws" / "config").write_text(
        (home / ".aws" / "config").read_text()
        + "[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = default\n"
    )
    result = run_cli([user.code(), "-p", "prod", "-d", "4h", "--shell", "bash"], stored)
    assert result.returncode == 0, result.stderr
    [assume] = [call for call in fake_aws.calls if call["Action"] == "AssumeRole"]
    assert fake_aws.signer(assume) == user.access_key_id and assume["params"]["DurationSeconds"] == "14400"
    assert assume["params"]["SerialNumber"] == user.serial and fake_aws.refused() == []
    assert fake_aws.count("GetSessionToken") == 0


def test_a_cached_run_of_a_keyring_profile_never_opens_the_keyring(stored, user, tmp_path):
    assert run_cli([user.code(), "--shell", "bash"], stored).returncode == 0
    code, modules = probe(
        dict(stored, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent"), tmp_path, ["--shell", "bash"]
    )
    assert code == 0 and not {m for m in modules if m.split(".")[0] in ("keyring", "jeepney", "secretstorage")}


def test_remove_deletes_the_item_and_the_profile_has_no_keys(stored, user, keyring_service):
    refused = run_cli(["--remove", "default"], stored)  # no terminal, no --yes
    assert refused.returncode == 2 and keyring_service.item("default") is not None
    result = run_cli(["--remove", "default", "--yes"], stored)
    assert result.returncode == 0, result.stderr
    assert keyring_service.item("default") is None
    after = run_cli([user.code(), "--shell", "bash"], stored)
    assert after.returncode == 3 and "has no access keys" in after.stderr
    again = run_cli(["--remove", "default", "--yes"], stored)
    assert again.returncode == 3 and "holds no keys" in again.stderr


def test_remove_asks_on_the_terminal(stored, keyring_service):
    for answer, kept in (("n", True), ("y", False)):
        child = pexpect.spawn(cli_command()[0], ["--remove", "default"], env=stored, encoding="utf-8", timeout=30)
        child.expect_exact("[y/N] ")
        child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        assert (keyring_service.item("default") is not None) == kept
        assert child.exitstatus == (2 if kept else 0)


def test_add_asks_for_keys_on_the_terminal_without_echoing_the_secret(kenv, home, fake_aws, keyring_service):
    doug = fake_aws.add_user("doug")
    write_aws_files(home, config=f"[profile doug]\nmfa_serial = {doug.serial}\n", credentials="")
    child = pexpect.spawn(cli_command()[0], ["--add", "doug"], env=kenv, encoding="utf-8", timeout=30)
    child.expect_exact("Access key ID for doug: ")
    child.sendline(doug.access_key_id)
    child.expect_exact("(not shown): ")
    child.sendline(doug.secret_access_key)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert doug.secret_access_key not in child.before  # no echo
    assert keyring_service.item("doug")["aws_secret_access_key"] == doug.secret_access_key
    result = run_cli([doug.code(), "-p", "doug", "--shell", "bash"], kenv)
    assert result.returncode == 0, result.stderr


def test_add_refuses_keys_that_do_not_sign_and_changes_nothing(kenv, home, user, keyring_service):
    text = credentials_text(user).replace(user.secret_access_key, "wrong-secret")
    (home / ".aws" / "credentials").write_text(text)
    result = run_cli(["--add", "default"], kenv)
    assert result.returncode == 4 and "secret access key" in result.stderr
    assert (home / ".aws" / "credentials").read_text() == text and keyring_service.item("default") is None


def test_the_file_wins_over_the_keyring_and_the_listing_warns(stored, home, user, fake_aws):
    other = fake_aws.add_user("other")
    path = home / ".aws" / "credentials"
    keys = f"aws_access_key_id = {other.access_key_id}\naws_secret_access_key = {other.secret_access_key}\n"
    path.write_text(path.read_text().replace("[default]\n", "[default]\n" + keys))
    listing = run_cli(["--list-profiles"], stored)
    assert "keys in a file and in the OS keyring" in listing.stderr
    result = run_cli([other.code(), "-s", other.serial, "--shell", "bash"], stored)
    assert result.returncode == 0, result.stderr
    session = next(iter(fake_aws.sessions.values()))
    assert session.user is other


def test_no_usable_keyring_is_a_clear_error_never_plain_text(env, home, user):
    path = home / ".aws" / "credentials"
    path.write_text(credentials_text(user))
    no_bus = dict(env, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent", XDG_RUNTIME_DIR="/nonexistent")
    result = run_cli(["--add", "default"], no_bus)
    assert result.returncode == 3, result.stderr
    assert "keyring" in result.stderr and "plain text" in result.stderr
    assert path.read_text() == credentials_text(user)


def test_a_locked_keyring_is_a_clear_error(stored, user, keyring_service):
    keyring_service.start(unlock=False)  # a new daemon: the login collection is locked now
    result = run_cli([user.code(), "--shell", "bash"], stored)
    assert result.returncode == 3, result.stderr
    assert "keyring" in result.stderr and "Traceback" not in result.stderr


def test_rotate_a_keyring_key(stored, user, fake_aws, keyring_service):
    old = user.access_key_id
    result = run_cli(["--rotate", "default", user.code()], stored)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    new = keyring_service.item("default")["aws_access_key_id"]
    assert new != old and old not in fake_aws.users and fake_aws.users[new] is user
    for step in ("created access key", "stored access key", "the new key signs", "deleted the old access key"):
        assert step in result.stderr
    assert fake_aws.key_secrets[new] not in result.stderr
    fake_aws.advance()
    assert run_cli([user.code(), "--shell", "bash", "--force-mfa"], stored).returncode == 0  # the new key signs


def test_rotate_a_file_key_in_place(env, home, user, fake_aws):
    path = home / ".aws" / "credentials"
    path.write_text(credentials_text(user))
    result = run_cli(["--rotate", "default", user.code()], env)
    assert result.returncode == 0, result.stderr
    [new] = fake_aws.keys_of(user)
    text = path.read_text()
    assert text == credentials_text(user).replace(user.access_key_id, new).replace(
        user.secret_access_key, fake_aws.key_secrets[new]
    )


def test_rotate_refuses_a_user_with_two_keys(env, home, user, fake_aws):
    (home / ".aws" / "credentials").write_text(credentials_text(user))
    assert run_cli([user.code(), "--shell", "bash"], env).returncode == 0  # an MFA session in the cache
    fake_aws.users["AKIASECOND0000000000"] = user
    result = run_cli(["--rotate", "default"], env)
    assert result.returncode == 3 and "already has two access keys" in result.stderr
    assert fake_aws.count("CreateAccessKey") == 0


def test_a_failure_between_create_and_delete_keeps_the_old_key(env, home, user, fake_aws):
    path = home / ".aws" / "credentials"
    path.write_text(credentials_text(user))
    fake_aws.key_delay = 3600  # the new key never signs within the wait
    result = run_cli(["--rotate", "default", user.code()], dict(env, MFA_EXPORT_ROTATE_WAIT="2"))
    assert result.returncode == 5, result.stderr
    [new] = [key for key in fake_aws.keys_of(user) if key != user.access_key_id]
    assert new[-4:] in result.stderr and "was not deleted" in result.stderr
    assert user.access_key_id in fake_aws.users  # the old key still works in IAM
    assert fake_aws.count("DeleteAccessKey") == 0
    # and when deleting fails after the new key works, both are named
    fake_aws.key_delay = 0
    fake_aws.key_ready.clear()
    del fake_aws.users[new]
    path.write_text(credentials_text(user))
    fake_aws.failing["DeleteAccessKey"] = "500"
    result = run_cli(["--rotate", "default"], env)
    assert result.returncode == 5 and "deleting the old key" in result.stderr, result.stderr
    assert user.access_key_id in fake_aws.users
