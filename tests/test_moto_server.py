"""The real HTTP round trip against moto's server mode (botocore's wire format, endpoints, parsing).

moto accepts any MFA code, so the strict checks live in test_cli_fake_sts.py; here moto proves the
request and response shapes and, with its IAM auth emulation on, key and signature failures.
"""

import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest

from tests.conftest import base_env, write_aws_files


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _set_auth(url, value):
    request = urllib.request.Request(
        url + "/moto-api/reset-auth", data=value.encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request, timeout=5).read()


def _env(home, url, key, secret):
    write_aws_files(
        home,
        config="[default]\nregion = us-east-2\nmfa_serial = arn:aws:iam::123456789012:mfa/moto\n",
        credentials=f"[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    return dict(base_env(home), AWS_ENDPOINT_URL_STS=url, AWS_ENDPOINT_URL_IAM=url)


def test_round_trip_over_http(cli, home, moto_url):
    result = cli(["123456", "--shell", "bash", "-d", "2h"], _env(home, moto_url, "AKIAMOTOTEST", "secret"))
    assert result.returncode == 0, result.stderr
    assert "export AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE'" in result.stdout  # moto's fixed answer
    assert "export AWS_REGION='us-east-2'" in result.stdout
    assert "(in 1h 59m)" in result.stderr or "(in 2h 00m)" in result.stderr


@pytest.fixture
def moto_auth(moto_url):
    iam = boto3.client(
        "iam",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="AKIAADMIN",
        aws_secret_access_key="admin",
    )
    name = f"mfa-user-{time.monotonic_ns()}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="all",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    _set_auth(moto_url, "0")
    yield key["AccessKeyId"], key["SecretAccessKey"]
    _set_auth(moto_url, "inf")


def test_auth_emulation_accepts_real_keys(cli, home, moto_url, moto_auth):
    result = cli(["123456", "--shell", "bash"], _env(home, moto_url, *moto_auth))
    assert result.returncode == 0, result.stderr


def test_auth_emulation_unknown_key(cli, home, moto_url, moto_auth):
    result = cli(["123456", "--shell", "bash"], _env(home, moto_url, "AKIANOSUCHKEY", "x"))
    assert result.returncode == 4 and result.stdout == "false\n"
    assert "does not recognise access key AKIANOSUCHKEY" in result.stderr


def test_auth_emulation_wrong_secret(cli, home, moto_url, moto_auth):
    result = cli(["123456", "--shell", "bash"], _env(home, moto_url, moto_auth[0], "wrong"))
    assert result.returncode == 4 and "secret access key of profile default is wrong" in result.stderr
