#!/usr/bin/env python3
"""What users wait for, measured side by side: mfa-export as installed by ./install, against a bare
interpreter and against rich's own import, with stderr piped and on a terminal (a pty).

    .venv/bin/python benchmarks/startup.py                 # prints the table
    .venv/bin/python benchmarks/startup.py --output benchmarks/results.md --runs 31

Every row is a whole process. Rows are interleaved (one run of each per round, --runs rounds) so that
a busy moment of the machine hits all rows alike; each row's median is compared with its floor:

  bare        the same Python with nothing installed: `python -c pass` in an empty virtualenv made
              from it. (Not the base interpreter itself: its site-packages may hold .pth files that
              import things at every start; this machine's imports certifi, 50 ms. That row is shown
              for reference.)
  rich        `python -c "import rich.console"` from mfa-export's virtualenv, stderr on a pty
  boto3       a bare boto3 GetSessionToken script against the same STS
  one run     for 32 parallel runs: one cache-miss run on its own

STS is the strict fake of tests/fake_sts.py (SigV4 checked, each TOTP code accepted once) on loopback,
so the cache-miss rows are real HTTP calls and the parallel row proves one STS call for 32 runs.
The "1 MB" rows use a config and a credentials file of about 1 MB each (7,700 profiles), as generated
for large organisations. --list-profiles on a pty has no target of its own: its table is 1.5 MB of
text, and the row after it shows what a bare python takes to write the same bytes to the pty.
"""

import argparse
import os
import platform
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_sts import FakeAws  # noqa: E402

BARE_BOTO3 = """
import sys, boto3
client = boto3.client("sts")
c = client.get_session_token(SerialNumber=sys.argv[1], TokenCode=sys.argv[2], DurationSeconds=43200)["Credentials"]
print("export AWS_ACCESS_KEY_ID=" + c["AccessKeyId"])
print("export AWS_SECRET_ACCESS_KEY=" + c["SecretAccessKey"])
print("export AWS_SESSION_TOKEN=" + c["SessionToken"])
"""
# What botocore itself does to list the profiles of the same files (the AWS CLI's `aws configure list-profiles`).
AVAILABLE_PROFILES = "import botocore.session; print(len(botocore.session.Session().available_profiles))"
PROFILES = 7700
PARALLEL = 32


def base_interpreter():
    """The interpreter this virtualenv was made from: Python with nothing installed on top."""
    return getattr(sys, "_base_executable", None) or sys.executable


def empty_venv(where, python):
    subprocess.run([python, "-m", "venv", "--without-pip", str(where)], check=True)
    return str(where / "bin" / "python")


def install(home, python, again=True):
    """mfa-export installed as the README's first command does (./install, dependencies from PyPI):
    its launcher and its virtualenv's python."""
    if again:
        where = home / ".local" / "share" / "mfa-export"
        env = dict(
            os.environ, HOME=str(home), PYTHON=python, MFA_EXPORT_BIN=str(home / "bin"), MFA_EXPORT_HOME=str(where)
        )
        subprocess.run([str(ROOT / "install")], env=env, check=True, stderr=subprocess.DEVNULL)
    return home / "bin" / "mfa-export", home / ".local" / "share" / "mfa-export" / "venv" / "bin" / "python"


def big_files(aws, user):
    """About 1 MB each: 7,700 role profiles in config, one key pair each in credentials."""
    config = [f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n"]
    credentials = [f"[default]\naws_access_key_id = {user.access_key_id}\n"]
    credentials.append(f"aws_secret_access_key = {user.secret_access_key}\n")
    for n in range(PROFILES):
        account = f"{100000000000 + n * 7919:012d}"
        config.append(
            f"\n[profile org-{n:04d}-admin]\nrole_arn = arn:aws:iam::{account}:role/OrganizationAccountAccessRole\n"
            f"source_profile = team-{n:04d}\nmfa_serial = {user.serial}\nregion = eu-west-1\n"
        )
        credentials.append(
            f"\n[team-{n:04d}]\naws_access_key_id = AKIA{n:016d}\n"
            f"aws_secret_access_key = {'x' * 40}\n# rotated 2026-01-01 by the platform team\n"
        )
    (aws / "big-config").write_text("".join(config))
    (aws / "big-credentials").write_text("".join(credentials))


class Terminal:
    """A pty for stderr, drained by a thread so a chatty run never blocks on it."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        while True:
            try:
                if not os.read(self.master, 65536):
                    return
            except OSError:
                return


def run_once(argv, env, stderr):
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"benchmark: {argv} exited {result.returncode}")
    return elapsed


def parallel_once(argv, env, fake, user):
    """32 runs started together with one fresh code and an empty cache: seconds until all are done."""
    shutil.rmtree(env["MFA_EXPORT_CACHE_DIR"], ignore_errors=True)
    fake.advance()
    code = user.code()
    before = fake.count("GetSessionToken")
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*argv, code], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(PARALLEL)
    ]
    codes = [proc.wait() for proc in procs]
    elapsed = time.perf_counter() - started
    if any(codes) or fake.count("GetSessionToken") - before != 1:
        sys.exit(f"benchmark: parallel runs exited {codes}, {fake.count('GetSessionToken') - before} STS calls")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="rounds (each row runs once per round)")
    parser.add_argument("--output", type=Path, help="write the results (Markdown) here")
    parser.add_argument(
        "--installed",
        type=Path,
        metavar="HOME",
        help="use what an earlier run installed with HOME=this (bin/mfa-export)",
    )
    args = parser.parse_args()

    fake = FakeAws().start()
    user = fake.add_user("bench")
    terminal = Terminal()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        base = base_interpreter()
        bare = empty_venv(home / "empty", base)
        mfa_export, venv_python = install(args.installed or home, base, again=not args.installed)
        pip_launcher = venv_python.parent / "mfa-export"  # what pipx and pip install put on PATH
        aws = home / ".aws"
        aws.mkdir()
        (aws / "config").write_text(f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n")
        (aws / "credentials").write_text(
            f"[default]\naws_access_key_id = {user.access_key_id}\naws_secret_access_key = {user.secret_access_key}\n"
        )
        big_files(aws, user)
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
            "COLUMNS": "80",
            "SHELL": "/bin/bash",
            "AWS_CONFIG_FILE": str(aws / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
            "AWS_ENDPOINT_URL_STS": fake.url,
            "AWS_ENDPOINT_URL_IAM": fake.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "MFA_EXPORT_CACHE_DIR": str(home / "cache"),
        }
        big = dict(
            env,
            AWS_CONFIG_FILE=str(aws / "big-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(aws / "big-credentials"),
            MFA_EXPORT_CACHE_DIR=str(home / "big-cache"),
        )
        no_color = dict(env, NO_COLOR="1")
        session = dict(
            env,
            AWS_SESSION_TOKEN="t",
            AWS_CREDENTIAL_EXPIRATION="2099-01-01T00:00:00Z",
            MFA_EXPORT_PROFILE="default",
        )
        miss_env = dict(env, MFA_EXPORT_CACHE_DIR=str(home / "miss-cache"))
        boto3_env = dict(
            env,
            AWS_ACCESS_KEY_ID=user.access_key_id,
            AWS_SECRET_ACCESS_KEY=user.secret_access_key,
            AWS_REGION="eu-west-1",
        )
        parallel_env = dict(env, MFA_EXPORT_CACHE_DIR=str(home / "parallel-cache"))
        for cache_env in (env, big):  # a cached session to serve
            fake.advance()
            subprocess.run([mfa_export, user.code(), "--shell", "bash"], env=cache_env, check=True, capture_output=True)
        # The 1 MB files' table, for a row that only writes it to the pty: what the terminal costs.
        table = home / "table.txt"
        listed = subprocess.run([mfa_export, "--list-profiles"], env=big, check=True, capture_output=True)
        table.write_bytes(listed.stderr)
        write_table = f"import sys; sys.stderr.write(open({str(table)!r}).read())"

        cmd = [str(mfa_export)]
        piped, tty = subprocess.DEVNULL, terminal.slave
        # (row, floor, target ratio, argv, env, stderr); argv None for the rows timed their own way
        rows = [
            ("python -c pass (base interpreter, its own site-packages)", None, None, [base, "-c", "pass"], env, piped),
            ("python -c pass (bare: an empty virtualenv)", None, None, [bare, "-c", "pass"], env, piped),
            (
                'python -c "import rich.console", stderr a pty',
                None,
                None,
                [str(venv_python), "-c", "import rich.console"],
                env,
                tty,
            ),
            (
                "cached run, stderr piped, pip's console script (pipx, pip install)",
                "bare",
                2.5,
                [str(pip_launcher), "--shell", "bash"],
                env,
                piped,
            ),
            ("cached run, stderr piped, ./install's launcher", "bare", 2.5, cmd + ["--shell", "bash"], env, piped),
            ("cached run, stderr a pty, NO_COLOR", "bare", 2.5, cmd + ["--shell", "bash"], no_color, tty),
            ("cached run, stderr a pty (rich summary)", "rich", 1.25, cmd + ["--shell", "bash"], env, tty),
            ("--status", "bare", 2.5, cmd + ["--status"], session, piped),
            ("--init bash", "bare", 3.0, cmd + ["--init", "bash"], env, piped),
            ("--help", None, None, cmd + ["--help"], env, piped),
            ("--version", None, None, cmd + ["--version"], env, piped),
            ("--unset", None, None, cmd + ["--unset", "--shell", "bash"], env, piped),
            ("1 MB files: cached run", "bare", 4.0, cmd + ["--shell", "bash"], big, piped),
            ("1 MB files: --complete profiles", "bare", 4.0, cmd + ["--complete", "profiles"], big, piped),
            (
                "1 MB files: botocore Session().available_profiles",
                None,
                None,
                [str(venv_python), "-c", AVAILABLE_PROFILES],
                big,
                piped,
            ),
            ("1 MB files: --list-profiles", "botocore", 1.0, cmd + ["--list-profiles"], big, piped),
            ("1 MB files: --list-profiles, stderr a pty", None, None, cmd + ["--list-profiles"], big, tty),
            ("bare python writing that table (1.5 MB) to the pty", None, None, [bare, "-c", write_table], env, tty),
            ("cache miss (cache and lock), new code", "boto3", 1.0, None, miss_env, piped),
            ("bare boto3 GetSessionToken script", None, None, None, boto3_env, piped),
            ("one cache-miss run, empty cache", None, None, None, parallel_env, piped),
            (f"{PARALLEL} parallel runs, one code, empty cache", "one run", 4.0, None, parallel_env, piped),
        ]
        samples = {row[0]: [] for row in rows}
        for round_ in range(args.runs + 2):  # the first two rounds warm caches and are dropped
            for name, _, _, argv, row_env, stderr in rows:
                if name.startswith("cache miss"):
                    fake.advance()
                    seconds = run_once(cmd + [user.code(), "--shell", "bash", "--force-mfa"], row_env, stderr)
                elif name.startswith("bare boto3"):
                    fake.advance()
                    seconds = run_once([str(venv_python), "-c", BARE_BOTO3, user.serial, user.code()], row_env, stderr)
                elif name.startswith("one cache-miss"):
                    shutil.rmtree(row_env["MFA_EXPORT_CACHE_DIR"], ignore_errors=True)
                    fake.advance()
                    seconds = run_once(cmd + [user.code(), "--shell", "bash"], row_env, stderr)
                elif name.startswith(f"{PARALLEL} parallel"):
                    seconds = parallel_once(cmd + ["--shell", "bash"], row_env, fake, user)
                else:
                    seconds = run_once(argv, row_env, stderr)
                if round_ >= 2:
                    samples[name].append(seconds)
    fake.stop()

    median = {name: statistics.median(values) for name, values in samples.items()}
    floors = {
        "bare": median["python -c pass (bare: an empty virtualenv)"],
        "rich": median['python -c "import rich.console", stderr a pty'],
        "boto3": median["bare boto3 GetSessionToken script"],
        "one run": median["one cache-miss run, empty cache"],
        "botocore": median["1 MB files: botocore Session().available_profiles"],
    }
    names = {
        "bare": "bare python",
        "rich": "rich import",
        "boto3": "bare boto3",
        "one run": "one run",
        "botocore": "botocore's listing",
    }
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d} on {platform.system()} {platform.machine()}, {model}, "
        f"{os.cpu_count()} cores; Python {platform.python_version()} ({base}); mfa-export installed by ./install "
        "(its launcher, and pip's console script in its virtualenv); "
        f"median of {args.runs} interleaved rounds, whole processes.",
        "",
        "| what | median | floor | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    missed = 0
    for name, floor, target, *_ in rows:
        if floor is None:
            lines.append(f"| {name} | {median[name] * 1000:.1f} ms | | | | |")
            continue
        ratio = median[name] / floors[floor]
        met = ratio <= target
        missed += not met
        lines.append(
            f"| {name} | {median[name] * 1000:.1f} ms | {names[floor]} | {ratio:.2f}x | ≤ {target}x | "
            f"{'met' if met else 'NOT met'} |"
        )
    lines += ["", f"{PARALLEL} parallel runs: one GetSessionToken call each round (checked)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(
            "# Start-up benchmark\n\nMade by `benchmarks/startup.py` (see its docstring for what each row is).\n\n"
            + text
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
