"""Sessions that last: the cache, where codes come from, one prompt for many terminals, exec mode."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pexpect
import pytest

from tests.conftest import add_user_profile, cli_command, start_and_wait_for_sts


def exported(stdout):
    values = {}
    for line in stdout.splitlines():
        if line.startswith("export "):
            name, value = line[len("export ") :].split("=", 1)
            values[name] = value[1:-1]
    return values


def cache_files(env, suffix=".session"):
    directory = env["MFA_EXPORT_CACHE_DIR"]
    return (
        sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(suffix))
        if os.path.isdir(directory)
        else []
    )


def no_code_run(cli, env, *extra):
    return cli(["--shell", "bash", *extra], env)


# -- reuse ----------------------------------------------------------------------------------------


def test_second_run_is_served_from_the_cache(cli, env, user, fake_aws):
    first = cli([user.code(), "--shell", "bash"], env)
    assert first.returncode == 0 and "new session" in first.stderr
    second = no_code_run(cli, env)
    assert second.returncode == 0, second.stderr
    assert "cached session" in second.stderr
    assert exported(second.stdout) == exported(first.stdout)
    assert fake_aws.count("GetSessionToken") == 1


def test_a_code_is_not_burned_when_the_cache_serves(cli, env, user, fake_aws):
    cli([user.code(), "--shell", "bash"], env)
    fake_aws.advance()
    code = user.code()
    assert cli([code, "--shell", "bash"], env).returncode == 0
    assert fake_aws.count("GetSessionToken") == 1
    # the code is still unused, so --force can spend it
    assert cli([code, "--shell", "bash", "--force"], env).returncode == 0
    assert fake_aws.count("GetSessionToken") == 2


def test_force_gets_a_new_session_and_replaces_the_entry(cli, env, user, fake_aws):
    first = exported(cli([user.code(), "--shell", "bash"], env).stdout)
    fake_aws.advance()
    forced = exported(cli([user.code(), "--shell", "bash", "--force"], env).stdout)
    assert forced["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]
    assert exported(no_code_run(cli, env).stdout) == forced


def test_no_cache_neither_reads_nor_writes(cli, env, user, fake_aws):
    assert cli([user.code(), "--shell", "bash", "--no-cache"], env).returncode == 0
    assert cache_files(env) == []
    fake_aws.advance()
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0  # writes
    fake_aws.advance()
    assert cli([user.code(), "--shell", "bash", "--no-cache"], env).returncode == 0  # does not read
    assert fake_aws.count("GetSessionToken") == 3


def test_entries_are_per_device_and_keys(cli, env, home, user, fake_aws):
    other = add_user_profile(home, fake_aws, "bob")
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    assert cli([other.code(), "--shell", "bash", "-p", "bob"], env).returncode == 0
    assert len(cache_files(env)) == 2
    assert "device bob" in no_code_run(cli, env, "-p", "bob").stderr
    assert "device alice" in no_code_run(cli, env).stderr
    assert fake_aws.count("GetSessionToken") == 2


def test_clear_cache_all_or_one_profile(cli, env, home, user, fake_aws):
    other = add_user_profile(home, fake_aws, "carol")
    cli([user.code(), "--shell", "bash"], env)
    cli([other.code(), "--shell", "bash", "-p", "carol"], env)
    result = cli(["--clear-cache", "-p", "carol"], env)
    assert result.returncode == 0 and result.stdout == ""
    assert "removed 1 cached session of profile carol" in result.stderr
    assert no_code_run(cli, env).returncode == 0
    assert no_code_run(cli, env, "-p", "carol").returncode == 2  # needs a code again, no terminal
    assert "removed 1 cached session " in cli(["--clear-cache"], env).stderr
    assert cache_files(env) == []


# -- files on disk --------------------------------------------------------------------------------


def test_permissions_are_set_at_creation_even_with_an_open_umask(env, user):
    result = subprocess.run(
        cli_command() + [user.code(), "--shell", "bash"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0),
    )
    assert result.returncode == 0, result.stderr
    directory = env["MFA_EXPORT_CACHE_DIR"]
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for path in cache_files(env) + cache_files(env, ".lock"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert [n for n in os.listdir(directory) if n.endswith(".tmp")] == []


def test_an_open_existing_directory_is_closed(cli, env, user):
    os.makedirs(env["MFA_EXPORT_CACHE_DIR"], mode=0o755)
    os.chmod(env["MFA_EXPORT_CACHE_DIR"], 0o755)
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    assert stat.S_IMODE(os.stat(env["MFA_EXPORT_CACHE_DIR"]).st_mode) == 0o700


def test_cache_location_follows_xdg(cli, env, home, user):
    env = dict(env, XDG_CACHE_HOME=str(home / "xdg"))
    del env["MFA_EXPORT_CACHE_DIR"]
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    assert len(os.listdir(home / "xdg" / "mfa-export")) >= 1
    del env["XDG_CACHE_HOME"]
    assert cli(["--clear-cache"], env).returncode == 0
    fake_home_cache = home / ".cache" / "mfa-export"
    assert "from " + str(fake_home_cache) in cli(["--clear-cache"], env).stderr


def _tamper(path, how):
    if how == "truncated":
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        Path(path).write_bytes(b"\x00\xff not json")
    elif how == "wrong-shape":
        Path(path).write_text("mfa-export session 2\nkey x\n")
    elif how == "group-writable":
        os.chmod(path, 0o620)
    elif how == "world-readable":
        os.chmod(path, 0o644)
    elif how == "world-writable":
        os.chmod(path, 0o602)
    elif how == "symlink":
        target = path + ".elsewhere"
        os.replace(path, target)
        os.symlink(target, path)
    elif how == "foreign-owner":
        os.chown(path, 4242, 4242)


@pytest.mark.parametrize(
    "how",
    [
        "truncated",
        "garbage",
        "wrong-shape",
        "group-writable",
        "world-readable",
        "world-writable",
        "symlink",
        "foreign-owner",
    ],
)
def test_untrustworthy_entries_are_ignored_and_replaced(cli, env, user, fake_aws, how):
    if how == "foreign-owner" and os.getuid() != 0:
        pytest.skip("only root can make a file owned by another user")
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    [path] = cache_files(env)
    _tamper(path, how)
    served = no_code_run(cli, env)
    assert served.returncode == 2 and "Traceback" not in served.stderr  # not trusted: a code is needed
    assert "ignoring cached session" in served.stderr and "it will be replaced" in served.stderr
    fake_aws.advance()
    replaced = cli([user.code(), "--shell", "bash"], env)
    assert replaced.returncode == 0 and "new session" in replaced.stderr
    info = os.lstat(path)
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid == os.getuid()
    assert "cached session" in no_code_run(cli, env).stderr


def set_field(path, name, value):
    """An entry's file with one field (a `name value` line) set to ``value``."""
    lines = Path(path).read_text().split("\n")
    lines = [f"{name} {value}" if line.split(" ", 1)[0] == name else line for line in lines]
    Path(path).write_text("\n".join(lines))


def _set_expiry(path, left):
    set_field(path, "expiration", repr(datetime.now(timezone.utc).timestamp() + left))


def test_expiry_window(cli, env, user, fake_aws):
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    [path] = cache_files(env)
    _set_expiry(path, 10 * 60)
    # 10 minutes left is under the default --min-ttl of 15m: not served
    assert no_code_run(cli, env).returncode == 2
    served = no_code_run(cli, env, "--min-ttl", "5m")
    assert served.returncode == 0
    assert "warning: this session expires in 9m" in served.stderr or "expires in 10m" in served.stderr
    fake_aws.advance()
    refreshed = cli([user.code(), "--shell", "bash"], env)
    assert "new session" in refreshed.stderr and fake_aws.count("GetSessionToken") == 2


def test_expired_entry_is_not_served(cli, env, user):
    cli([user.code(), "--shell", "bash"], env)
    [path] = cache_files(env)
    _set_expiry(path, -60)
    assert no_code_run(cli, env, "--min-ttl", "0").returncode == 2


# -- code sources ---------------------------------------------------------------------------------


def test_code_command(cli, env, user, fake_aws):
    result = cli(["--shell", "bash", "--code-command", f"oathtool --totp -b {user.seed}"], env)
    assert result.returncode == 0, result.stderr
    assert fake_aws.count("GetSessionToken") == 1


def test_profile_mfa_process(cli, env, home, user, fake_aws):
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + f"mfa_process = oathtool --totp -b {user.seed}\n")
    assert cli(["--shell", "bash"], env).returncode == 0


@pytest.mark.parametrize(
    "command,phrase",
    [
        ("exit 3", "failed with exit status 3"),
        ("echo 'password: hunter2'", "printed no 6-digit code"),
        ("no-such-command-here", "failed with exit status 127"),
    ],
)
def test_code_command_failures(cli, env, user, fake_aws, command, phrase):
    result = cli(["--shell", "bash", "--code-command", command], env)
    assert result.returncode == 3 and result.stdout == "false\n"
    assert phrase in result.stderr and "hunter2" not in result.stderr
    assert fake_aws.count("GetSessionToken") == 0


def test_code_command_timeout(cli, env):
    started = time.monotonic()
    result = cli(["--shell", "bash", "--code-command", "sleep 30"], dict(env, MFA_EXPORT_CODE_TIMEOUT="1"))
    assert result.returncode == 3 and "did not finish within 1s" in result.stderr
    assert time.monotonic() - started < 10


def test_code_command_is_not_used_when_a_code_is_given(cli, env, user):
    assert cli([user.code(), "--shell", "bash", "--code-command", "exit 1"], env).returncode == 0


def test_terminal_prompt_reasks_on_a_malformed_code(env, user, fake_aws):
    child = pexpect.spawn(cli_command()[0], ["--shell", "bash"], env=env, encoding="utf-8", timeout=30)
    child.expect_exact(f"MFA code for {user.serial}: ")
    child.sendline("12ab")
    child.expect_exact("exactly 6 digits")
    child.expect_exact(f"MFA code for {user.serial}: ")
    child.sendline(user.code())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "export AWS_SESSION_TOKEN=" in child.before
    assert fake_aws.count("GetSessionToken") == 1


def test_prompt_shows_while_stdout_is_captured(env, user, tmp_path):
    """As under eval "$(...)": stdout is a pipe, the prompt still reaches the person."""
    out = tmp_path / "out"
    child = pexpect.spawn(
        "/bin/sh", ["-c", f"{cli_command()[0]} --shell bash > {out}"], env=env, encoding="utf-8", timeout=30
    )
    child.expect_exact(f"MFA code for {user.serial}: ")
    child.sendline(user.code())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert out.read_text().startswith("export AWS_ACCESS_KEY_ID=")


# -- one prompt for many terminals --------------------------------------------------------------


def test_parallel_runs_make_one_call_and_share_the_session(env, user, fake_aws):
    code = user.code()
    fake_aws.delay = 0.5  # keep the first run inside its lock long enough for the rest to queue

    def run(_):
        return subprocess.run(
            cli_command() + [code, "--shell", "bash"],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert fake_aws.count("GetSessionToken") == 1
    sessions = {exported(r.stdout)["AWS_ACCESS_KEY_ID"] for r in results}
    assert len(sessions) == 1
    assert sum("new session" in r.stderr for r in results) == 1


def test_waiting_for_a_lock_times_out_clearly(env, user, fake_aws):
    fake_aws.delay = 6
    first = start_and_wait_for_sts(fake_aws, [user.code(), "--shell", "bash"], env)
    second = subprocess.run(
        cli_command() + ["--shell", "bash"],
        env=dict(env, MFA_EXPORT_LOCK_TIMEOUT="1"),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    first.communicate(timeout=30)
    assert second.returncode == 5 and second.stdout == "false\n"
    assert "waiting up to 1s" in second.stderr and "gave up after 1s" in second.stderr
    assert f"another mfa-export run (pid {first.pid}, since " in second.stderr  # who it waited for


# -- exec mode ------------------------------------------------------------------------------------

DUMP = [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"]


def test_exec_mode_runs_the_command_with_the_session(cli, env, user, fake_aws):
    result = cli([user.code(), "--", *DUMP], dict(env, AWS_PROFILE="default", AWS_DEFAULT_PROFILE="x"))
    assert result.returncode == 0, result.stderr
    child_env = json.loads(result.stdout)
    session = fake_aws.sessions[child_env["AWS_ACCESS_KEY_ID"]]
    assert child_env["AWS_SESSION_TOKEN"] == session.session_token
    assert "AWS_PROFILE" not in child_env and "AWS_DEFAULT_PROFILE" not in child_env
    assert child_env["MFA_EXPORT_PROFILE"] == "default"


def test_exec_mode_passes_stdin_and_exit_status(cli, env, user):
    result = cli([user.code(), "--", "sh", "-c", "cat; exit 7"], env, stdin_text="through\n")
    assert result.returncode == 7 and result.stdout == "through\n"


def test_exec_mode_command_not_found(cli, env, user, fake_aws):
    result = cli([user.code(), "--", "no-such-command-xyz"], env)
    assert result.returncode == 127 and result.stdout == ""
    assert "command not found: no-such-command-xyz" in result.stderr


def test_exec_mode_failure_prints_nothing_on_stdout(cli, env):
    result = cli(["12345", "--", "true"], env)
    assert result.returncode == 2 and result.stdout == ""


def test_exec_mode_signals_reach_the_command(env, user, tmp_path):
    ready = tmp_path / "ready"
    script = f"trap 'exit 42' TERM; touch {ready}; while :; do sleep 0.1; done"
    proc = subprocess.Popen(
        cli_command() + [user.code(), "--", "sh", "-c", script],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    assert proc.returncode == 42


def test_exec_mode_uses_the_cache(cli, env, user, fake_aws):
    cli([user.code(), "--shell", "bash"], env)
    result = cli(["--", "sh", "-c", 'test -n "$AWS_SESSION_TOKEN"'], env)
    assert result.returncode == 0 and fake_aws.count("GetSessionToken") == 1


# -- start-up cost ----------------------------------------------------------------------------------

PROBE = """
import json, sys
from mfa_export.cli import main
code = main(sys.argv[1:])
HEAVY = ("boto3", "botocore", "filelock", "asyncio", "rich", "shellingham")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _probe(args, env):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["--unset", "--shell", "bash"]])
def test_light_commands_import_nothing_heavy(env, args):
    probe = _probe(args, env)
    assert probe["code"] == 0 and probe["heavy"] == []


def test_a_cached_run_imports_no_boto3(cli, env, user):
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    probe = _probe(["--shell", "bash"], env)
    assert probe["code"] == 0 and probe["heavy"] == []
    assert _probe([user.code(), "--shell", "zsh"], env)["heavy"] == []


def test_a_miss_does_import_boto3(env, user):
    """The check above can fail: the same probe sees botocore on the STS path."""
    probe = _probe([user.code(), "--shell", "bash"], env)
    assert probe["code"] == 0 and "botocore" in probe["heavy"]


def test_code_command_can_prompt_on_the_terminal(env, user, tmp_path):
    out = tmp_path / "out"
    command = "printf 'touch your key: ' >&2; read code; echo \"$code\""
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f'{cli_command()[0]} --shell bash --code-command "$CC" > {out}'],
        env=dict(env, CC=command),
        encoding="utf-8",
        timeout=30,
    )
    child.expect_exact("touch your key: ")
    child.sendline(user.code())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert out.read_text().startswith("export AWS_ACCESS_KEY_ID=")


def test_ctrl_c_in_a_code_command_interrupts(env, tmp_path):
    out = tmp_path / "out"
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f'{cli_command()[0]} --shell bash --code-command "$CC" > {out}'],
        # Ready once it prints: the group is in the terminal's foreground before the shell runs, and
        # exec leaves one process, so ^C reaches the command whether it lands before sleep or in it.
        env=dict(env, CC="printf 'waiting: ' >&2; exec sleep 30"),
        encoding="utf-8",
        timeout=30,
    )
    child.expect_exact("waiting: ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    assert "interrupted" in child.before
    assert out.read_text() == "false\n"


def test_another_users_entry_copied_onto_ours_is_not_served(cli, env, home, user, fake_aws):
    """Each entry holds the key it was stored under; a file copied to another entry's name is a miss."""
    from tests.conftest import add_user_profile

    other = add_user_profile(home, fake_aws, "bob")
    assert cli([user.code(), "--shell", "bash"], env).returncode == 0
    assert cli([other.code(), "--shell", "bash", "-p", "bob"], env).returncode == 0
    ours, theirs = sorted(cache_files(env), key=lambda p: "bob" in Path(p).read_text())
    Path(ours).write_bytes(Path(theirs).read_bytes())
    served = no_code_run(cli, env)
    assert served.returncode == 2 and "ignoring cached session" in served.stderr
    assert served.stdout == "false\n"


def test_the_cache_directory_is_made_0700_not_chmod_ed_after(monkeypatch, tmp_path):
    """Created with mode 0700 in the mkdir call itself: no moment when another user could enter."""
    from mfa_export.cache import SessionCache

    modes = []
    real_mkdir = os.mkdir

    def mkdir(path, mode=0o777):
        modes.append((str(path), mode))
        real_mkdir(path, mode)

    monkeypatch.setattr(os, "mkdir", mkdir)
    directory = tmp_path / "parent" / "mfa-export"
    SessionCache(str(directory), print).ensure_directory()
    assert modes and all(mode == 0o700 for _, mode in modes), modes
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_the_terminal_is_handed_back_after_a_code_command(env, user, tmp_path):
    """A code command runs in the terminal's foreground; afterwards the terminal must go back to the
    group that had it, or the next read in that terminal stops (SIGTTIN). A script run from an
    interactive shell shows it: the script has no job control of its own to take the terminal back."""
    script = tmp_path / "script.sh"
    script.write_text(
        f'out=$({cli_command()[0]} --shell bash --code-command "echo {user.code()}" 2>/dev/null)\n'
        'printf "ready> "\nread answer\necho "got:$answer"\n'
    )
    child = pexpect.spawn(
        "/bin/bash", ["--norc", "--noprofile", "-i", "-c", f"bash {script}"], env=env, encoding="utf-8", timeout=20
    )
    child.expect_exact("ready> ")
    child.sendline("hello")
    child.expect_exact("got:hello")
    child.expect(pexpect.EOF)


def test_ctrl_c_at_the_prompt_puts_the_message_on_its_own_line(env, user):
    child = pexpect.spawn(cli_command()[0], ["--shell", "bash"], env=env, encoding="utf-8", timeout=30)
    child.expect_exact(f"MFA code for {user.serial}: ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    import re

    lines = re.sub(r"\x1b\[[0-9;]*m", "", child.before).splitlines()
    assert any(line.startswith("mfa-export: error: interrupted") for line in lines), child.before
