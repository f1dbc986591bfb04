"""botocore errors -> MfaExportError, exit code and message (unit level, with botocore's Stubber)."""

from datetime import datetime, timezone

import botocore.session
import pytest
from botocore import exceptions as bce
from botocore.stub import Stubber

from mfa_export import sts
from mfa_export.errors import AwsRefused, ConfigError, ServiceError
from tests import fake_sts

SERIAL = "arn:aws:iam::123456789012:mfa/alice"


class StubSource:
    label = "profile test"
    access_key_id = "AKIATEST"

    def __init__(self):
        session = botocore.session.Session()
        session.set_credentials("AKIATEST", "secret")
        self.clients = {name: session.create_client(name, region_name="us-east-1") for name in ("sts", "iam")}
        self.stubbers = {name: Stubber(client) for name, client in self.clients.items()}
        for stubber in self.stubbers.values():
            stubber.activate()

    def client(self, service, region, config):
        return self.clients[service]


@pytest.fixture
def source():
    sts.start_budget({})
    return StubSource()


@pytest.mark.parametrize(
    "code,message,status,error,phrase",
    [
        ("AccessDenied", fake_sts.MSG_BAD_CODE, 403, AwsRefused, "MFA code rejected: wrong, expired or already used"),
        ("AccessDenied", fake_sts.MSG_BAD_SERIAL, 403, AwsRefused, f"MFA device {SERIAL} was not accepted"),
        ("AccessDenied", fake_sts.MSG_SESSION_CREDS, 403, AwsRefused, "signed with session credentials"),
        ("InvalidClientTokenId", fake_sts.MSG_BAD_KEY, 403, AwsRefused, "does not recognise access key AKIATEST"),
        ("SignatureDoesNotMatch", fake_sts.MSG_BAD_SIGNATURE, 403, AwsRefused, "secret access key of profile test"),
        ("ExpiredToken", fake_sts.MSG_EXPIRED, 403, AwsRefused, "have expired"),
        ("Throttling", "Rate exceeded", 400, ServiceError, "throttled"),
        ("RegionDisabledException", "STS is not activated", 403, AwsRefused, "not active in this region"),
        ("InternalFailure", "oops", 500, ServiceError, "HTTP 500"),
        ("AccessDenied", "something else entirely", 403, AwsRefused, "something else entirely"),
    ],
)
def test_get_session_token_errors(source, code, message, status, error, phrase):
    source.stubbers["sts"].add_client_error(
        "get_session_token", service_error_code=code, service_message=message, http_status_code=status
    )
    with pytest.raises(error) as err:
        sts.get_session_token(source, SERIAL, "123456", 3600, None)
    assert phrase in str(err.value)
    assert err.value.hint


def test_success_is_converted_to_utc(source):
    expiry = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
    source.stubbers["sts"].add_response(
        "get_session_token",
        {
            "Credentials": {
                "AccessKeyId": "ASIAXXXXXXXXXXXXXXXX",
                "SecretAccessKey": "s",
                "SessionToken": "t",
                "Expiration": expiry,
            }
        },
        {"SerialNumber": SERIAL, "TokenCode": "123456", "DurationSeconds": 3600},
    )
    creds = sts.get_session_token(source, SERIAL, "123456", 3600, None)
    assert creds.expiration == expiry.timestamp() and creds.session_token == "t"  # Unix seconds
    assert "'s'" not in repr(creds) and "'t'" not in repr(creds)  # secrets stay out of tracebacks


@pytest.mark.parametrize(
    "exc,error",
    [
        (bce.EndpointConnectionError(endpoint_url="https://sts.amazonaws.com"), ServiceError),
        (bce.ConnectTimeoutError(endpoint_url="https://sts.amazonaws.com"), ServiceError),
        (bce.ReadTimeoutError(endpoint_url="https://sts.amazonaws.com"), ServiceError),
        (bce.NoCredentialsError(), ConfigError),
    ],
)
def test_transport_errors(exc, error):
    assert isinstance(sts.translate(exc, StubSource, "GetSessionToken", SERIAL), error)


def test_list_devices_access_denied_asks_for_serial(source):
    source.stubbers["iam"].add_client_error(
        "list_mfa_devices", service_error_code="AccessDenied", service_message="not authorized", http_status_code=403
    )
    with pytest.raises(ConfigError) as err:
        sts.discover_serial(source)
    assert "--serial-number" in str(err.value) and err.value.exit_code == 3


def test_list_devices_network_error_stays_a_network_error(source):
    source.stubbers["iam"].add_client_error(
        "list_mfa_devices", service_error_code="ServiceUnavailable", http_status_code=503
    )
    with pytest.raises(ServiceError):
        sts.discover_serial(source)
