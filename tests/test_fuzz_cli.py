"""Fuzz the real CLI (a subprocess each time): argv, AWS_*/MFA_EXPORT_* variables, the AWS files, cache
entries and the endpoint's answers are drawn together, and whatever happens:

- the exit code is a documented one;
- stdout is a complete export or exactly the fail statement (nothing for formats that are not eval'ed);
- stderr has no traceback and no secret.

Bounded: MFA_EXPORT_FUZZ_EXAMPLES examples (default 40), each with the network budget at 2 s.
"""

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfa_export.shells import canonical_name, get_shell
from tests.conftest import base_env, cli_command, write_aws_files
from tests.test_fail_closed import BadEndpoint

EXAMPLES = int(os.environ.get("MFA_EXPORT_FUZZ_EXAMPLES", "40"))
DOCUMENTED = {0, 2, 3, 4, 5, 6, 129, 130, 143}
SHELLS = ["bash", "zsh", "fish", "tcsh", "pwsh", "nu", "elvish", "xonsh", "cmd", "nonsense"]

_FLAG = st.one_of(
    st.tuples(st.just("-d"), st.sampled_from(["12h", "900", "²", "0", "99999999", "1h30m", "x"])),
    st.tuples(st.just("--min-ttl"), st.sampled_from(["15m", "²", "-5", "13h"])),
    st.tuples(st.just("--region"), st.sampled_from(["eu-west-1", "bad region!", "eu\udcff", "us-east-1\r"])),
    st.tuples(st.just("-p"), st.sampled_from(["default", "missing", "role", "a b", "base"])),
    st.tuples(st.just("-f"), st.sampled_from(["json", "dotenv", "shell", "yaml"])),
    st.tuples(st.just("--write-profile"), st.sampled_from(["mfa", "default", "a]b", ""])),
    st.sampled_from(
        [
            ("--unset",),
            ("--force",),
            ("--no-cache",),
            ("-q",),
            ("--status",),
            ("--clear-cache",),
            ("--list-profiles",),
            ("--debug",),
        ]
    ),
)
_ENV = st.dictionaries(
    st.sampled_from(
        [
            "AWS_REGION",
            "MFA_EXPORT_LOCK_TIMEOUT",
            "MFA_EXPORT_CODE_TIMEOUT",
            "AWS_PROFILE",
            "MFA_EXPORT_TIMEOUT",
            "AWS_SESSION_TOKEN",
        ]
    ),
    st.sampled_from(["eu-west-1", "nan", "-1", "5", "default", "eu-west-1\r", "x"]),
    max_size=3,
)
_CONFIG = st.sampled_from(["plain", "bom", "duplicate", "binary", "role", "header-comment"])
_CACHE = st.sampled_from(["none", "garbage", "directory", "far-expiry"])
_ENDPOINT = st.sampled_from(["fake", "fake", "fake", "500", "throttle", "hostile", "html", "garbage", "silent"])
_CODE = st.sampled_from(["good", "good", "bad", "none", "stdin", "stdin-junk"])


def _files(kind, user, role_arn):
    keys = f"aws_access_key_id = {user.access_key_id}\naws_secret_access_key = {user.secret_access_key}\n"
    config = f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n"
    credentials = f"[default]\n{keys}[base]\n{keys}"
    if kind == "role":
        config += f"[profile role]\nrole_arn = {role_arn}\nsource_profile = default\n"
    elif kind == "header-comment":
        credentials = credentials.replace("[base]", "[base] ; comment\n  # indented comment")
    elif kind == "bom":
        credentials = "\ufeff" + credentials
    elif kind == "duplicate":
        credentials += "[default]\nx = 1\n"
    elif kind == "binary":
        credentials = credentials + "\udcff"
    return config, credentials


def _expected_fail(argv, exit_code):
    # Arguments argparse refused leave no parsed flags: the fallback shell's fail statement is printed.
    refused = {get_shell("sh").fail().encode()} if exit_code == 2 else set()
    flags = set(argv)
    if {"--status", "--write-profile", "--list-profiles", "--clear-cache"} & flags:
        return {b""} | refused
    formats = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "-f"]
    if formats and formats[-1] in ("json", "dotenv", "github"):
        return {b""} | refused
    shell = argv[argv.index("--shell") + 1] if "--shell" in argv else ""
    name = canonical_name(shell) or "sh"
    # argparse may stop before --shell was read (a bad value earlier): then the fallback shell fails.
    return {get_shell(name).fail().encode(), get_shell("sh").fail().encode()}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    flags=st.lists(_FLAG, max_size=4),
    shell=st.sampled_from(SHELLS),
    extra_env=_ENV,
    files=_CONFIG,
    cache=_CACHE,
    endpoint=_ENDPOINT,
    code=_CODE,
)
def test_the_cli_fails_closed_whatever_it_meets(
    fake_aws, tmp_path, flags, shell, extra_env, files, cache, endpoint, code
):
    fake_aws.advance()
    fake_aws.faults.clear()
    fake_aws.hostile_credentials = None
    user = fake_aws.add_user()
    role = fake_aws.add_role(f"r{len(fake_aws.roles)}", trusted={user.arn})
    home = Path(tempfile.mkdtemp(dir=tmp_path))
    config, credentials = _files(files, user, role.arn)
    write_aws_files(home)
    (home / ".aws" / "config").write_text(config)
    (home / ".aws" / "credentials").write_bytes(credentials.encode("utf-8", "surrogateescape"))
    env = dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=fake_aws.url,
        AWS_ENDPOINT_URL_IAM=fake_aws.url,
        MFA_EXPORT_TIMEOUT="2",
        MFA_EXPORT_LOCK_TIMEOUT="2",
        MFA_EXPORT_CODE_TIMEOUT="2",
    )
    env.update(extra_env)
    bad = None
    if endpoint in ("500", "throttle"):
        fake_aws.fail_next(endpoint, count=3)
    elif endpoint == "hostile":
        fake_aws.hostile_credentials = {"SessionToken": "tok'$(id)`x`\"\n;", "SecretAccessKey": "s\u2028[x]"}
    elif endpoint != "fake":
        bad = BadEndpoint(
            {
                "html": ("200 OK", "text/html", b"<html>portal</html>"),
                "garbage": ("200 OK", "text/xml", b"<Get<<"),
                "silent": "silent",
            }[endpoint]
        )
        env["AWS_ENDPOINT_URL_STS"] = bad.url
    if cache != "none":  # an entry for this user's session, then spoiled
        warm = subprocess.run(
            cli_command() + [user.code(), "--shell", "bash"],
            env=env,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        fake_aws.advance()
        for entry in Path(env["MFA_EXPORT_CACHE_DIR"]).glob("*.session") if warm.returncode == 0 else []:
            if cache == "garbage":
                entry.write_bytes(b"\0\xff{")
            elif cache == "directory":
                entry.unlink()
                entry.mkdir()
            else:
                entry.write_text(entry.read_text().replace("\nexpiration ", "\nexpiration -"))
    argv = [a for flag in flags for a in flag] + ["--shell", shell]
    stdin = subprocess.DEVNULL
    if code == "good":
        argv.insert(0, user.code())
    elif code == "bad":
        argv.insert(0, "12345x")
    elif code.startswith("stdin"):
        argv.insert(0, "-")
        stdin_data = (user.code() + "\n") if code == "stdin" else ("9" * 10000)
    try:
        result = subprocess.run(
            [c.encode("utf-8", "surrogateescape") for c in cli_command() + argv],
            env={k: v.encode("utf-8", "surrogateescape") for k, v in env.items()},
            input=stdin_data.encode() if code.startswith("stdin") else None,
            stdin=None if code.startswith("stdin") else stdin,
            capture_output=True,
            timeout=60,
        )
    finally:
        if bad is not None:
            bad.close()
    err = result.stderr.decode("utf-8", "replace")
    # --status answers "no session" with 1 and nothing printed, as documented
    assert result.returncode in DOCUMENTED | ({1} if "--status" in argv else set()), (argv, err)
    assert "unexpected error" not in err, (argv, err)
    if "--debug" not in argv:
        assert "Traceback" not in err, (argv, err)
    secrets = [user.secret_access_key] + [
        s for session in fake_aws.sessions.values() for s in (session.secret_access_key, session.session_token)
    ]
    for secret in secrets:
        assert secret not in err, (argv, "a secret on stderr")
    if result.returncode == 1:
        assert result.stdout == b"" and err == "", (argv, err)
    elif result.returncode != 0:
        assert result.stdout in _expected_fail(argv, result.returncode), (argv, result.stdout, err)
    elif shell == "bash" and not (
        {"--status", "--unset", "--write-profile", "--list-profiles", "--clear-cache", "-f"} & set(argv)
    ):
        # a complete export: bash applies it and holds exactly the session the fake issued
        applied = subprocess.run(
            [
                "bash",
                "--norc",
                "--noprofile",
                "-c",
                'eval "$(cat)" && printf "%s\\0" '
                '"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" '
                '"${AWS_SECURITY_TOKEN-unset}"',
            ],
            input=result.stdout,
            capture_output=True,
            timeout=30,
        )
        assert applied.returncode == 0, (argv, result.stdout, applied.stderr)
        key, secret, token, legacy, _ = applied.stdout.decode().split("\0")
        session = fake_aws.sessions[key]
        assert (secret, token, legacy) == (session.secret_access_key, session.session_token, "unset")
