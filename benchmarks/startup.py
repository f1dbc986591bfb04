#!/usr/bin/env python3
"""Start-up and end-to-end timings of mfa-export, side by side in one run.

    python benchmarks/startup.py [--runs 31] [--output benchmarks/results.md]

Times, as whole processes (median wall time of --runs runs, after warm-up):
  1. python -c pass                       the floor: an interpreter that does nothing
  2. mfa-export, served from the cache   the path users hit most; must stay within 2x of (1)
  3. mfa-export against a local STS      moto_server on loopback, cache off
  4. a bare boto3 GetSessionToken script  the same call with nothing of ours; (3) must stay within 1.1x

Run it with a Python that has mfa-export's dependencies and moto (tests/run makes .venv). mfa-export
itself is installed from this checkout into a throw-away virtualenv the ordinary way (a wheel, not an
editable install, whose import hook would add its own start-up cost).
"""

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from datetime import datetime, timezone
from pathlib import Path

SERIAL = "arn:aws:iam::123456789012:mfa/bench"

BARE_BOTO3 = f"""
import boto3
client = boto3.client("sts", region_name="eu-west-1")
c = client.get_session_token(SerialNumber="{SERIAL}", TokenCode="123456", DurationSeconds=43200)["Credentials"]
print("export AWS_ACCESS_KEY_ID=" + c["AccessKeyId"])
print("export AWS_SECRET_ACCESS_KEY=" + c["SecretAccessKey"])
print("export AWS_SESSION_TOKEN=" + c["SessionToken"])
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto_server did not start")


def install_regular(into):
    """A venv with mfa-export installed from a wheel of this checkout, dependencies taken from ours."""
    root = Path(__file__).resolve().parent.parent
    venv.create(into, with_pip=True)
    python = Path(into, "bin", "python")
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    theirs = subprocess.run([python, "-c", purelib], capture_output=True, text=True, check=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", purelib], capture_output=True, text=True, check=True).stdout.strip()
    Path(theirs, "benchmark-deps.pth").write_text(ours + "\n")
    wheels = Path(into, "wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wheel = next(wheels.glob("mfa_export-*.whl"))
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return str(Path(into, "bin", "mfa-export"))


def time_runs(argv, env, runs):
    for _ in range(3):  # warm the page cache and .pyc files
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--output", type=Path, help="write the results table (Markdown) here")
    args = parser.parse_args()

    moto, url = start_moto()
    try:
        with tempfile.TemporaryDirectory() as home:
            mfa_export = install_regular(Path(home, "venv"))
            aws = Path(home, ".aws")
            aws.mkdir()
            aws.joinpath("config").write_text(f"[default]\nregion = eu-west-1\nmfa_serial = {SERIAL}\n")
            aws.joinpath("credentials").write_text(
                "[default]\naws_access_key_id = AKIABENCH\naws_secret_access_key = bench\n"
            )
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": home,
                "LANG": "C.UTF-8",
                "AWS_CONFIG_FILE": str(aws / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
                "AWS_ENDPOINT_URL_STS": url,
                "AWS_EC2_METADATA_DISABLED": "true",
                "MFA_EXPORT_CACHE_DIR": str(Path(home, "cache")),
                "AWS_ACCESS_KEY_ID": "AKIABENCH",
                "AWS_SECRET_ACCESS_KEY": "bench",
            }
            mfa_env = {k: v for k, v in env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
            subprocess.run(
                [mfa_export, "123456", "--shell", "bash", "-q"], env=mfa_env, check=True, stdout=subprocess.DEVNULL
            )
            rows = [
                ("python -c pass", time_runs([sys.executable, "-c", "pass"], env, args.runs)),
                ("mfa-export, cached session", time_runs([mfa_export, "--shell", "bash", "-q"], mfa_env, args.runs)),
                (
                    "mfa-export, local STS (moto)",
                    time_runs([mfa_export, "123456", "--shell", "bash", "-q", "--no-cache"], mfa_env, args.runs),
                ),
                ("bare boto3 GetSessionToken script", time_runs([sys.executable, "-c", BARE_BOTO3], env, args.runs)),
            ]
    finally:
        moto.terminate()
        moto.wait()

    floor = rows[0][1]
    boto3_time = rows[3][1]
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; median of {args.runs} runs each, whole process.",
        "",
        "| what | median | vs `python -c pass` | vs bare boto3 script |",
        "|---|---|---|---|",
    ]
    for name, seconds in rows:
        lines.append(f"| {name} | {seconds * 1000:.1f} ms | {seconds / floor:.2f}x | {seconds / boto3_time:.2f}x |")
    cached_ratio = rows[1][1] / floor
    sts_ratio = rows[2][1] / boto3_time
    lines += [
        "",
        f"Targets: cached run within 2x of `python -c pass`: {cached_ratio:.2f}x "
        f"({'met' if cached_ratio <= 2 else 'NOT met'}); STS path within 1.1x of the bare boto3 script: "
        f"{sts_ratio:.2f}x ({'met' if sts_ratio <= 1.1 else 'NOT met'}).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text("# Start-up benchmark\n\nMade by `benchmarks/startup.py`.\n\n" + text)


if __name__ == "__main__":
    main()
