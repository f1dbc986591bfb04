"""Fail closed under every fault: each case below once printed nothing (so `eval "" && deploy` went on),
crashed with "unexpected error", hung, leaked a secret or left one behind."""

import os
import resource
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

from tests.conftest import cli_command, without_root_powers
from tests.test_sessions import cache_files, set_field

FAIL = "false\n"


def run(args, env, stdin=subprocess.DEVNULL, timeout=60, **kwargs):
    return subprocess.run(
        cli_command() + list(args), env=env, stdin=stdin, capture_output=True, timeout=timeout, **kwargs
    )


def assert_closed(result, code, phrase=None):
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == code, err
    assert result.stdout == FAIL.encode()
    assert "Traceback" not in err and "unexpected error" not in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err
    if phrase:
        assert phrase in err


# -- fail-open -------------------------------------------------------------------------------------------


def test_a_region_that_is_not_utf8_fails_closed(env, user, fake_aws):
    assert_closed(run([user.code().encode(), b"--shell", b"bash", b"--region", b"eu\xff"], env), 2, "region")
    assert fake_aws.calls == []


def test_an_inherited_region_that_is_not_utf8_fails_closed(env, user, fake_aws):
    env = {k.encode(): v.encode() for k, v in env.items()}
    env[b"AWS_REGION"] = b"eu\xff"
    env[b"AWS_CONFIG_FILE"] = os.devnull.encode()  # no profile region to win over it
    assert_closed(run([user.code(), "--shell", "bash"], env), 3, "$AWS_REGION")


def test_closed_stderr_still_exports(env, user):
    result = subprocess.run(
        ["sh", "-c", 'exec "$@" 2>&-', "sh", *cli_command(), user.code(), "--shell", "bash"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        timeout=60,
    )
    assert result.returncode == 0 and b"export AWS_SESSION_TOKEN=" in result.stdout


def test_a_stderr_whose_reader_is_gone_still_exports(env, user):
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            cli_command() + [user.code(), "--shell", "bash"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=write,
            timeout=60,
        )
    finally:
        os.close(write)
    assert result.returncode == 0 and b"export AWS_SESSION_TOKEN=" in result.stdout


# -- time ------------------------------------------------------------------------------------------------


class BadEndpoint:
    """A local endpoint that misbehaves: 'trickle' (a byte every 0.5 s), 'silent' (never answers),
    or a fixed answer (status, content type, body)."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
            except OSError:
                return
            self.requests += 1
            if self.behaviour == "silent":
                self.stop.wait(30)
                return
            if self.behaviour == "trickle":
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<x>"
                for index in range(200):  # bounded: 100 s at most
                    if self.stop.is_set():
                        return
                    try:
                        conn.sendall((head + b"a" * 200)[index : index + 1])
                    except OSError:
                        return
                    time.sleep(0.5)
                return
            status, kind, body = self.behaviour
            conn.sendall(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n".encode()
                + body
            )

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.fixture
def bad_endpoint():
    endpoints = []

    def make(behaviour):
        endpoints.append(BadEndpoint(behaviour))
        return endpoints[-1]

    yield make
    for endpoint in endpoints:
        endpoint.close()


@pytest.mark.parametrize("behaviour", ["trickle", "silent"])
def test_one_deadline_for_the_network_and_the_code_sent_once(env, user, bad_endpoint, behaviour):
    endpoint = bad_endpoint(behaviour)
    env = dict(env, AWS_ENDPOINT_URL_STS=endpoint.url, MFA_EXPORT_TIMEOUT="3")
    started = time.monotonic()
    result = run([user.code(), "--shell", "bash"], env)
    assert time.monotonic() - started < 10
    assert_closed(result, 5, "within 3s")
    assert endpoint.requests == 1


@pytest.mark.parametrize(
    "answer",
    [
        ("200 OK", "text/html", b"<html><body>Sign in to the hotel Wi-Fi</body></html>"),
        ("200 OK", "text/xml", b"<GetSessionTokenResponse><broken"),
        ("403 Forbidden", "text/html", b"<html>blocked by proxy</html>"),
        ("200 OK", "application/json", b'{"Credentials": 1}'),
    ],
)
def test_an_answer_that_is_not_sts_is_exit_5_naming_the_endpoint(env, user, bad_endpoint, answer):
    endpoint = bad_endpoint(answer)
    result = run([user.code(), "--shell", "bash"], dict(env, AWS_ENDPOINT_URL_STS=endpoint.url))
    assert_closed(result, 5, f"{endpoint.url} did not answer like STS")
    assert endpoint.requests == 1


# -- ordinary bad input: one line and its exit code, never "unexpected error" ------------------------------


@pytest.mark.parametrize(
    "args,extra_env,code,phrase",
    [
        (["--region", "bad region!"], {}, 2, "is not a region name"),
        ([], {"AWS_REGION": "eu-west-1\r", "AWS_CONFIG_FILE": os.devnull}, 3, "$AWS_REGION"),
        (["-d", "²"], {}, 2, "not understood"),
        (["--min-ttl", "²"], {}, 2, "not understood"),
        ([], {"MFA_EXPORT_LOCK_TIMEOUT": "nan"}, 3, "$MFA_EXPORT_LOCK_TIMEOUT"),
        ([], {"MFA_EXPORT_LOCK_TIMEOUT": "-1"}, 3, "$MFA_EXPORT_LOCK_TIMEOUT"),
        ([], {"MFA_EXPORT_TIMEOUT": "inf"}, 3, "$MFA_EXPORT_TIMEOUT"),
        (["--code-command", "true"], {"MFA_EXPORT_CODE_TIMEOUT": "nan"}, 3, "$MFA_EXPORT_CODE_TIMEOUT"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(env, user, fake_aws, args, extra_env, code, phrase):
    code_arg = [] if "--code-command" in args else [user.code()]
    assert_closed(run(code_arg + args + ["--shell", "bash"], dict(env, **extra_env)), code, phrase)
    assert fake_aws.count("GetSessionToken") == 0


def test_wrapper_short_flag_clusters(env, user):
    for args in (["-qf", "json"], ["-qh"], ["-hq"], ["--he"]):
        result = run(["--wrapped", "bash", *args], env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().startswith("command mfa-export") or b"mfa-export" in result.stdout
        assert b"usage:" not in result.stdout  # the help text is never handed to eval


@pytest.mark.parametrize("how", ["far-expiry", "nan-expiry", "directory"])
def test_odd_cache_entries_are_ignored(env, user, fake_aws, how):
    assert run([user.code(), "--shell", "bash"], env).returncode == 0
    [path] = cache_files(env)
    if how == "directory":
        os.unlink(path)
        os.mkdir(path)
    else:
        set_field(path, "expiration", "1e300" if how == "far-expiry" else "nan")
    fake_aws.advance()
    result = run([user.code(), "--shell", "bash"], env)
    assert result.returncode == 0, result.stderr
    cleared = run(["--clear-cache"], env)
    assert cleared.returncode == 0 and b"Traceback" not in cleared.stderr


# -- hangs and leftovers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["entry", "lock"])
def test_a_fifo_at_a_cache_path_does_not_hang(env, user, fake_aws, where):
    assert run([user.code(), "--shell", "bash"], env).returncode == 0
    [path] = cache_files(env)
    target = path if where == "entry" else path[: -len(".session")] + ".lock"
    if os.path.exists(target):
        os.unlink(target)
    os.mkfifo(target)
    fake_aws.advance()
    # a miss either way: the entry cannot serve; with --force the lock is needed even so
    result = run([user.code(), "--shell", "bash"] + (["--force"] if where == "lock" else []), env, timeout=30)
    assert result.returncode == 0, result.stderr
    if where == "lock":
        assert stat.S_ISFIFO(os.lstat(target).st_mode)  # left alone, never opened
    else:
        assert stat.S_ISREG(os.lstat(target).st_mode)  # skipped, then replaced by the new session
    warning = b"not a regular file" if where == "entry" else b"not caching this session"
    assert warning in result.stderr


def test_endless_stdin_is_bounded(env):
    with open("/dev/zero", "rb") as zero:
        assert_closed(run(["-", "--shell", "bash"], env, stdin=zero, timeout=20), 2, "more than 4096")


def test_endless_code_command_output_is_bounded(env):
    assert_closed(run(["--code-command", "yes", "--shell", "bash"], env, timeout=20), 3, "more than 4096 bytes")


def test_a_child_holding_the_code_commands_stdout_does_not_block(env, user, tmp_path):
    started = time.monotonic()
    with open(tmp_path / "stderr", "wb") as stderr:  # as under eval: only stdout is captured
        result = subprocess.run(
            cli_command() + ["--code-command", f"sleep 30 & echo {user.code()}", "--shell", "bash"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            timeout=25,
        )
    assert result.returncode == 0, (tmp_path / "stderr").read_text()
    assert time.monotonic() - started < 15


def test_the_code_command_gets_no_aws_credentials(cli, home, user, tmp_path):
    from tests.conftest import base_env

    env = dict(
        base_env(home),
        AWS_ACCESS_KEY_ID=user.access_key_id,
        AWS_SECRET_ACCESS_KEY=user.secret_access_key,
        AWS_MFA_SERIAL=user.serial,
    )
    seen = tmp_path / "seen"
    result = cli(["--code-command", f"env > {seen}; echo 123456", "--shell", "bash"], env)
    assert seen.exists()
    assert "AWS_SECRET_ACCESS_KEY" not in seen.read_text() and "AWS_ACCESS_KEY_ID" not in seen.read_text()
    assert result.returncode != 1


def test_stale_temp_files_are_removed_by_the_next_run_and_by_clear_cache(env, user, fake_aws):
    assert run([user.code(), "--shell", "bash"], env).returncode == 0
    [path] = cache_files(env)
    for pid in (999990, 999991):
        with open(f"{path}.mfa-export-{pid}.tmp", "w") as handle:
            handle.write('{"SecretAccessKey": "left by kill -9"}')
    fake_aws.advance()
    assert run([user.code(), "--shell", "bash", "--force"], env).returncode == 0
    assert not os.path.exists(f"{path}.mfa-export-999990.tmp")
    with open(f"{path}.mfa-export-999992.tmp", "w") as handle:
        handle.write("x")
    assert run(["--clear-cache"], env).returncode == 0
    assert not [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_fail_closed_and_let_go(env, user, tmp_path, signum):
    waiting = tmp_path / "waiting"
    proc = subprocess.Popen(
        cli_command() + ["--code-command", f"touch {waiting}; sleep 30", "--shell", "bash"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not waiting.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert waiting.exists()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signum, err
    assert out == FAIL.encode() and b"Traceback" not in err
    cache = env["MFA_EXPORT_CACHE_DIR"]
    assert not [n for n in os.listdir(cache) if n.endswith((".tmp", ".owner"))]
    # the lock was let go: the next run does not wait for it
    again = run([user.code(), "--shell", "bash"], dict(env, MFA_EXPORT_LOCK_TIMEOUT="1"))
    assert again.returncode == 0, again.stderr


# -- secrets ---------------------------------------------------------------------------------------------


def test_debug_masks_role_calls_signed_by_a_cached_session(env, home, user, fake_aws):
    role = fake_aws.add_role("admin", trusted={user.arn})
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = default\n")
    assert run([user.code(), "--shell", "bash"], env).returncode == 0  # the MFA session, cached
    result = run(["-p", "admin", "--shell", "bash", "--debug"], env)
    assert result.returncode == 0, result.stderr
    err = result.stderr.decode()
    assert "AssumeRole" in err  # the debug log is there
    for session in fake_aws.sessions.values():
        for secret in (session.access_key_id, session.secret_access_key, session.session_token):
            assert secret not in err
    assert user.access_key_id not in err and user.secret_access_key not in err
    import re

    assert not re.search(r"Signature=[0-9a-f]{16}", err)


# -- smaller ---------------------------------------------------------------------------------------------


def test_status_prints_nothing_when_it_fails(env):
    result = run(["--status", "--no-such-flag"], env)
    assert result.returncode == 2 and result.stdout == b""


def test_github_short_write_fails_closed(env, user, tmp_path):
    github_env = tmp_path / "github_env"
    github_env.write_bytes(b"EARLIER=1\n" * 100)
    size = github_env.stat().st_size

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 200, size + 200))

    result = run([user.code(), "--format", "github"], dict(env, GITHUB_ENV=str(github_env)), preexec_fn=limit)
    assert result.returncode == 3, result.stderr
    assert b"could not append to $GITHUB_ENV" in result.stderr and result.stdout == b""
    assert github_env.stat().st_size == size


def test_directories_are_0700_under_any_umask(env, user, home):
    cache = home / "a" / "b" / "mfa-export"
    result = run(
        [user.code(), "--shell", "bash"], dict(env, MFA_EXPORT_CACHE_DIR=str(cache)), preexec_fn=lambda: os.umask(0)
    )
    assert result.returncode == 0, result.stderr
    for path in (home / "a", home / "a" / "b", cache):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700, path


def test_an_unreadable_credentials_file_says_so(env, user, home):
    credentials = home / ".aws" / "credentials"
    os.chmod(credentials, 0)
    result = subprocess.run(
        without_root_powers(cli_command() + [user.code(), "--shell", "bash"]),
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert_closed(result, 3, "permission denied")
    assert b"syntax" not in result.stderr


def test_dotenv_refusing_a_profile_name_does_not_blame_sts(cli, env, home, user):
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + f'[profile "my keys"]\nmfa_serial = {user.serial}\n')
    creds = home / ".aws" / "credentials"
    creds.write_text(creds.read_text().replace("[default]", "[my keys]"))
    result = cli([user.code(), "-p", "my keys", "--format", "dotenv"], env)
    assert result.returncode == 6 and "MFA_EXPORT_PROFILE" in result.stderr
    assert "STS endpoint" not in result.stderr and "profile's name" in result.stderr


def test_output_that_cannot_be_encoded_is_exit_6_with_the_fail_statement(monkeypatch):
    """Defence in depth: values are validated long before, but whatever reaches the final write is
    encoded whole first, and a surrogate (undecodable bytes from argv or the environment) fails closed."""
    import io

    from mfa_export import cli

    monkeypatch.setattr(cli.Run, "execute", lambda self, argv: "export X='eu\udcff'\n")
    stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    code = cli.main(["--shell", "bash"], {}, io.StringIO(), stdout, stderr)
    stdout.flush()
    assert code == 6
    assert stdout.buffer.getvalue() == FAIL.encode()
    assert "not valid text" in stderr.getvalue()
