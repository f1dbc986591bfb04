"""A smoke run of the CLI on the Python running this script, against the strict fake STS: a miss, a
cached run, a role, --status, --init, --help, --list-profiles and completion, each checked for its
exit status and a line of what it printed. tests/other-pythons runs it on Python 3.9 and 3.15.

    python tests/smoke.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_sts import FakeAws


def main():
    fake = FakeAws().start()
    user = fake.add_user("smoke")
    role = fake.add_role("admin", trusted={user.arn})
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        aws = home / ".aws"
        aws.mkdir()
        (aws / "config").write_text(
            f"[default]\nregion = eu-west-1\nmfa_serial = {user.serial}\n"
            f"[profile admin]\nrole_arn = {role.arn}\nsource_profile = default\n"
        )
        (aws / "credentials").write_text(
            f"[default]\naws_access_key_id = {user.access_key_id}\naws_secret_access_key = {user.secret_access_key}\n"
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "AWS_CONFIG_FILE": str(aws / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
            "AWS_ENDPOINT_URL_STS": fake.url,
            "AWS_ENDPOINT_URL_IAM": fake.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "MFA_EXPORT_CACHE_DIR": str(home / "cache"),
            "COLUMNS": "80",
        }

        def check(name, args, expect, extra_env=None, status=0):
            result = subprocess.run(
                [sys.executable, "-m", "mfa_export", *args],
                env=dict(env, **(extra_env or {})),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
            )
            ok = result.returncode == status and expect in result.stdout + result.stderr
            print(f"{'ok' if ok else 'FAILED'}: {name}", flush=True)
            if not ok:
                failures.append(name)
                print(f"  exit {result.returncode}\n  stdout: {result.stdout!r}\n  stderr: {result.stderr!r}")
            return result

        check("a cache miss", [user.code(), "--shell", "bash"], "export AWS_SESSION_TOKEN=")
        before = fake.count("GetSessionToken")
        check("a cached run", ["--shell", "bash"], "export AWS_SESSION_TOKEN=")
        if fake.count("GetSessionToken") != before:
            failures.append("the cached run called STS")
        check("a role", ["-p", "admin", "--shell", "bash"], "role admin in account 222222222222")
        check("-f json", ["-f", "json"], '"Version": 1')
        check(
            "--status",
            ["--status"],
            "default ",
            {
                "AWS_SESSION_TOKEN": "t",
                "AWS_CREDENTIAL_EXPIRATION": "2099-01-01T00:00:00Z",
                "MFA_EXPORT_PROFILE": "default",
            },
        )
        check("--init bash", ["--init", "bash"], "mfa()")
        check("--help", ["--help"], "usage: mfa-export")
        check("--list-profiles", ["--list-profiles"], "admin")
        check("completion", ["--complete", "profiles"], "admin")
        check("--profile=--", ["--profile=--", "--shell", "bash"], "--profile needs a value", status=2)
    fake.stop()
    print(f"smoke: {len(failures)} failed on Python {sys.version.split()[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
