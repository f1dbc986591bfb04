"""The only module that imports boto3/botocore: long-term keys, GetSessionToken, device discovery,
and the translation of every botocore failure into an MfaExportError a person can act on.

botocore does the endpoint work (AWS_ENDPOINT_URL_STS/IAM, regional endpoints, proxies, CA bundles);
nothing here re-implements it.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import botocore.session
from botocore import exceptions as bce
from botocore.config import Config
from botocore.parsers import ResponseParserError

from mfa_export.credentials import Credentials
from mfa_export.deadline import DeadlineExceeded, NetworkBudget
from mfa_export.errors import AwsRefused, ConfigError, MfaExportError, ServiceError, UsageError
from mfa_export.nesting import LoadingKeys, refuse_if_nested
from mfa_export.redact import add_secret

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Union

    from botocore.client import BaseClient

    from mfa_export.settings import RoleStep, Settings

    Signer = Union["Source", "SessionSigner", "KeyPair"]

CONNECT_TIMEOUT = 5.0
ATTEMPTS = 3
# Failures that happen before a request is on the wire: retrying them cannot resend a code.
_NOT_SENT = (bce.EndpointConnectionError, bce.ConnectTimeoutError)

_budget: NetworkBudget | None = None  # the run's NetworkBudget, made on the first call


def start_budget(environ: Mapping[str, str]) -> NetworkBudget:
    """The run's one network budget; validated here, before any code is asked for."""
    global _budget
    if _budget is None:
        _budget = NetworkBudget.from_environ(environ)
    return _budget


def _the_budget() -> NetworkBudget:
    if _budget is None:
        raise RuntimeError("start_budget() was not called before a network call")
    return _budget


def _client_config(carries_code: bool) -> Config:
    left = max(_the_budget().left, 0.1)
    # A request that carried the MFA code is never sent again (STS takes each code once, so a
    # resend after a lost answer would only be refused); other calls may retry within the budget.
    return Config(
        connect_timeout=min(CONNECT_TIMEOUT, left),
        read_timeout=left,
        retries={"total_max_attempts": 1 if carries_code else ATTEMPTS, "mode": "standard"},
    )


def _call(
    signer: Signer,
    service: str,
    region: str | None,
    operation: str,
    params: dict[str, Any],
    carries_code: bool = False,
) -> tuple[dict[str, Any], BaseClient]:
    """One AWS call under the budget; connection failures that sent nothing are retried."""
    budget = _the_budget()
    for attempt in range(1, ATTEMPTS + 1):
        client = signer.client(service, region, _client_config(carries_code))
        try:
            with budget:
                return getattr(client, operation)(**params), client
        except DeadlineExceeded:
            raise ServiceError(
                f"no complete answer from {client.meta.endpoint_url} within {budget.seconds:.0f}s "
                f"({_operation_name(operation)})",
                "check the network, HTTPS_PROXY and AWS_ENDPOINT_URL_*; set MFA_EXPORT_TIMEOUT to wait longer",
            ) from None
        except _NOT_SENT as exc:
            if not carries_code or attempt == ATTEMPTS or budget.left < 1:
                raise translate(exc, signer, _operation_name(operation), None, client) from exc
            time.sleep(min(0.5 * attempt, budget.left / 4))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # botocore's parser choking on a body that only looked like its protocol
            raise _not_sts(client) from exc
        except Exception as exc:
            raise translate(
                exc, signer, _operation_name(operation), params.get("SerialNumber") or params.get("RoleArn"), client
            ) from exc
    raise AssertionError("unreachable")


def _operation_name(method: str) -> str:
    return "".join(part.capitalize() for part in method.split("_")).replace("Mfa", "MFA")


# Only providers that can hold an IAM user's long-term keys. Instance metadata and container
# providers would add network round trips and can only yield session credentials; assume-role and
# SSO yield session credentials too, which GetSessionToken refuses.
_LONG_TERM_PROVIDERS = ("shared-credentials-file", "custom-process", "config-file")

DEFAULT_STS_REGION = "us-east-1"


class Source:
    """Where the long-term keys come from, and a botocore session that signs with them."""

    def __init__(self, settings: Settings, environ: Mapping[str, str]) -> None:
        self.label = settings.source_label
        self.profile = settings.profile
        if settings.profile is None:
            self.session = botocore.session.Session()
            self.session.set_credentials(environ["AWS_ACCESS_KEY_ID"], environ["AWS_SECRET_ACCESS_KEY"])
        elif settings.keyring_key:
            self.session = keyring_session(settings.profile, settings.config_file, settings.credentials_file)
            self.label = f"profile {settings.profile} (keys in the OS keyring)"
        else:
            self.session = self._profile_session(settings.profile)
        self.access_key_id = self._check_long_term()

    def _profile_config(self) -> dict[str, Any]:
        """The profile's settings in the config file (what kind of profile it is), or {}."""
        if self.profile is None:
            return {}
        try:
            config = self.session.get_scoped_config()
        except bce.BotoCoreError:
            return {}
        return config if isinstance(config, dict) else {}

    def _profile_session(self, profile: str) -> botocore.session.Session:
        try:
            # An explicit profile also keeps botocore from using keys in the environment, which may be
            # the session credentials of an earlier export.
            session = botocore.session.Session(profile=profile)
            resolver = session.get_component("credential_provider")
            resolver.providers = [p for p in resolver.providers if p.METHOD in _LONG_TERM_PROVIDERS]
        except bce.ProfileNotFound:
            raise ConfigError(
                f"profile {profile} not found", "check the name with: aws configure list-profiles"
            ) from None
        return session

    def _check_long_term(self) -> str:
        refuse_if_nested(self.label)
        try:
            with LoadingKeys():
                creds = self.session.get_credentials()
        except bce.PartialCredentialsError as exc:
            raise ConfigError(
                f"{self.label} is missing {exc.kwargs.get('cred_var')}", "add it with: aws configure"
            ) from None
        except bce.CredentialRetrievalError as exc:
            raise ConfigError(
                f"credential_process of {self.label} failed: {exc.kwargs.get('error_msg')}",
                "run that command by hand to see why",
            ) from None
        except bce.BotoCoreError as exc:
            raise ConfigError(
                f"cannot load the keys of {self.label}: {exc}", "check ~/.aws/config and ~/.aws/credentials"
            ) from None
        config = self._profile_config()
        if creds is None:
            if config.get("sso_session") or config.get("sso_start_url"):
                raise ConfigError(
                    f"{self.label} signs in with AWS SSO (IAM Identity Center), which gives session credentials, "
                    "not an IAM user's access keys",
                    f"SSO needs no MFA export: aws sso login --profile {self.profile}; mfa-export is for IAM users",
                )
            raise ConfigError(
                f"{self.label} has no access keys",
                f"add aws_access_key_id and aws_secret_access_key for it with: aws configure --profile {self.profile}",
            )
        frozen = creds.get_frozen_credentials()
        add_secret(frozen.secret_key)
        if frozen.token:
            if config.get("credential_process"):
                problem = f"the credential_process of {self.label} gives session credentials (with a token)"
            else:
                problem = f"{self.label} holds session credentials (aws_session_token)"
            raise ConfigError(
                f"{problem}, not an IAM user's long-term keys",
                "GetSessionToken needs long-term keys: name the profile that has them with -p",
            )
        return str(frozen.access_key)

    def client(self, service: str, region: str | None, config: Config) -> BaseClient:
        return self.session.create_client(service, region_name=region or DEFAULT_STS_REGION, config=config)


def keyring_session(profile: str, config_file: str, credentials_file: str) -> botocore.session.Session:
    """A botocore session signing with ``profile``'s keys from the OS keyring, with the profile's
    configuration (endpoints, CA bundle) when a file has the profile."""
    from mfa_export.keystore import Keyring

    keys = Keyring().get(profile)
    if keys is None:
        raise ConfigError(
            f"the OS keyring holds no keys for profile {profile}, though mfa-export stored them there",
            f"store them again: mfa-export --add {profile}",
        )
    add_secret(keys[1])
    session = profile_session(profile)
    session.set_credentials(*keys)
    return session


def config_session(settings: Settings) -> botocore.session.Session:
    """A botocore session for the profile's configuration (endpoints, CA bundle), used with explicit keys.

    One serves every step of a role chain, so the service model is loaded once.
    """
    session = botocore.session.Session()
    if settings.profile and (not settings.keyring_key or settings.profile in session.available_profiles):
        session = botocore.session.Session(profile=settings.profile)
    return session


class SessionSigner:
    """Signs with temporary credentials (an MFA session, or a role session further down a chain)."""

    def __init__(self, credentials: Credentials, session: botocore.session.Session, label: str) -> None:
        self.credentials = credentials
        self.session = session
        self.label = label
        self.access_key_id = credentials.access_key_id
        # A session from the cache was never seen by sts.py in this run: --debug must mask it too.
        add_secret(credentials.secret_access_key)
        add_secret(credentials.session_token)

    def client(self, service: str, region: str | None, config: Config) -> BaseClient:
        return self.session.create_client(
            service,
            region_name=region or DEFAULT_STS_REGION,
            config=config,
            aws_access_key_id=self.credentials.access_key_id,
            aws_secret_access_key=self.credentials.secret_access_key,
            aws_session_token=self.credentials.session_token,
        )


class KeyPair:
    """Signs with long-term keys given directly: keys being added to the keyring, or a new key
    being checked during --rotate."""

    def __init__(self, key_id: str, secret: str, label: str, session: botocore.session.Session) -> None:
        self.access_key_id = key_id
        self._secret = secret
        self.label = label
        self.session = session
        add_secret(secret)

    def client(self, service: str, region: str | None, config: Config) -> BaseClient:
        return self.session.create_client(
            service,
            region_name=region or DEFAULT_STS_REGION,
            config=config,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self._secret,
        )


def profile_session(profile: str | None) -> botocore.session.Session:
    """A session with ``profile``'s configuration when a file has it, else the defaults."""
    session = botocore.session.Session()
    if profile and profile in session.available_profiles:
        session = botocore.session.Session(profile=profile)
    return session


def caller_arn(signer: Signer, region: str | None) -> str:
    """Who signs (sts:GetCallerIdentity): proof that a key pair works."""
    answer, client = _call(signer, "sts", region, "get_caller_identity", {})
    arn = answer.get("Arn") if isinstance(answer, dict) else None
    if not isinstance(arn, str) or not arn:
        raise _not_sts(client)
    return arn


def access_keys(signer: Signer) -> list[str]:
    """The access key ids of the signing IAM user (iam:ListAccessKeys)."""
    answer, client = _call(signer, "iam", None, "list_access_keys", {})
    try:
        keys = [item["AccessKeyId"] for item in answer["AccessKeyMetadata"]]
    except (KeyError, TypeError):
        raise _not_sts(client) from None
    return [key for key in keys if isinstance(key, str)]


def create_access_key(signer: Signer) -> tuple[str, str]:
    answer, client = _call(signer, "iam", None, "create_access_key", {})
    try:
        key = answer["AccessKey"]
        pair = (key["AccessKeyId"], key["SecretAccessKey"])
    except (KeyError, TypeError):
        raise _not_sts(client) from None
    if not all(isinstance(part, str) and part for part in pair):
        raise _not_sts(client)
    add_secret(pair[1])
    return pair


def delete_access_key(signer: Signer, key_id: str) -> None:
    _call(signer, "iam", None, "delete_access_key", {"AccessKeyId": key_id})


def get_session_token(source: Source, serial: str, code: str, duration: int, region: str | None) -> Credentials:
    answer, client = _call(
        source,
        "sts",
        region,
        "get_session_token",
        {"SerialNumber": serial, "TokenCode": code, "DurationSeconds": duration},
        carries_code=True,
    )
    return _credentials(answer, client)


def assume_role(
    signer: Signer,
    step: RoleStep,
    session_name: str,
    duration: int,
    region: str | None,
    mfa: tuple[str, str] | None = None,
) -> tuple[Credentials, str]:
    """(Credentials, assumed-role ARN) for one AssumeRole signed by ``signer``: a session (role
    chaining, at most 1 h), or the long-term keys with ``mfa`` = (device, code)."""
    params: dict[str, Any] = {"RoleArn": step.role_arn, "RoleSessionName": session_name, "DurationSeconds": duration}
    if step.external_id:
        params["ExternalId"] = step.external_id
    if mfa is not None:
        params["SerialNumber"], params["TokenCode"] = mfa
    answer, client = _call(signer, "sts", region, "assume_role", params, carries_code=mfa is not None)
    arn = (answer.get("AssumedRoleUser") or {}).get("Arn")
    return _credentials(answer, client), arn if isinstance(arn, str) and arn else step.role_arn


class SeveralDevices(ConfigError):
    """The IAM user has more than one MFA device: the person has to choose (session.py asks)."""

    def __init__(self, label: str, devices: list[str]) -> None:
        super().__init__(
            f"the IAM user of {label} has several MFA devices: " + ", ".join(devices),
            "choose one with --serial-number or mfa_serial in the profile",
        )
        self.devices = devices


def discover_serial(source: Source) -> str:
    """The caller's only MFA device, via iam:ListMFADevices (allowed before MFA in AWS's force-MFA policy)."""
    try:
        answer, client = _call(source, "iam", None, "list_mfa_devices", {})
        listed: list[object] = [d["SerialNumber"] for d in answer.get("MFADevices", [])]
    except AwsRefused as error:
        raise ConfigError(
            f"no MFA device configured and {source.label} may not list them ({error.message})",
            "pass --serial-number ARN or set mfa_serial in the profile",
        ) from error
    except (KeyError, TypeError, AttributeError):
        raise _not_sts(client) from None
    devices = [d for d in listed if isinstance(d, str)]
    if len(devices) != len(listed):
        raise _not_sts(client)
    if not devices:
        raise ConfigError(
            f"the IAM user of {source.label} has no MFA device",
            "assign one in the IAM console, or pass --serial-number",
        )
    if len(devices) > 1:
        raise SeveralDevices(source.label, devices)
    return devices[0]


def _credentials(answer: dict[str, Any], client: BaseClient) -> Credentials:
    """The Credentials of an answer, after checking it is one: a captive portal's 200 page or another
    service's answer parses too, into something else."""
    data = answer.get("Credentials") if isinstance(answer, dict) else None
    fields = [data.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")] if isinstance(data, dict) else []
    expiration = data.get("Expiration") if isinstance(data, dict) else None
    if not (fields and all(isinstance(v, str) and v for v in fields) and isinstance(expiration, datetime)):
        raise _not_sts(client)
    add_secret(fields[1])
    add_secret(fields[2])
    try:
        expiration = expiration.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise _not_sts(client) from None
    return Credentials(
        access_key_id=str(fields[0]),
        secret_access_key=str(fields[1]),
        session_token=str(fields[2]),
        expiration=expiration,
    )


def _not_sts(client: BaseClient | None) -> ServiceError:
    endpoint = client.meta.endpoint_url if client is not None else "the endpoint"
    return ServiceError(
        f"{endpoint} did not answer like STS",
        "check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_IAM "
        "and any proxy (HTTPS_PROXY); a captive portal or wrong endpoint answers like this",
    )


def _assume_role_error(code: str, message: str, role_arn: str) -> MfaExportError | None:
    if code == "AccessDenied":
        return AwsRefused(
            f"not allowed to assume {role_arn} ({message})",
            "check the role's trust policy (principal, MFA condition, external_id) and sts:AssumeRole permission",
        )
    if code == "ValidationError" and "role chaining" in message:
        return AwsRefused(
            f"AWS limits {role_arn}, assumed with another role's credentials, to 1h sessions", "use -d 1h or less"
        )
    if code == "ValidationError" and "MaxSessionDuration" in message:
        return AwsRefused(
            f"the session asked for is longer than {role_arn} allows (its MaxSessionDuration)",
            "use a shorter -d / duration_seconds, or raise the role's maximum session duration",
        )
    return None


_THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}


def translate(
    exc: Exception, source: Signer, operation: str, serial: str | None, client: BaseClient | None = None
) -> Exception:
    """An MfaExportError for any exception botocore raised during ``operation``."""
    if isinstance(exc, bce.ClientError):
        if (
            not str(exc.response.get("Error", {}).get("Code", "")).strip()
            or str(exc.response.get("Error", {}).get("Code", "")).isdigit()
        ):
            return _not_sts(client)  # botocore's stand-in code (the HTTP status) for a body it could not read
        return _client_error(exc, source, operation, serial)
    if isinstance(exc, ResponseParserError):
        return _not_sts(client)
    if isinstance(
        exc,
        (
            bce.EndpointConnectionError,
            bce.ConnectTimeoutError,
            bce.ReadTimeoutError,
            bce.ConnectionClosedError,
            bce.ProxyConnectionError,
            bce.SSLError,
            bce.HTTPClientError,
        ),
    ):
        return ServiceError(
            f"{operation} failed: cannot reach AWS ({exc})",
            "check the network, HTTPS_PROXY and any AWS_ENDPOINT_URL_* setting, then retry",
        )
    if isinstance(exc, bce.ParamValidationError):
        return UsageError(f"{operation} parameters were refused: {exc}".replace("\n", " "))
    if isinstance(exc, bce.NoCredentialsError):
        return ConfigError("no AWS credentials found", "run 'aws configure' or pass -p NAME")
    if isinstance(exc, bce.BotoCoreError):
        return ServiceError(f"{operation} failed: {exc}", "retry; run with --debug for details")
    return exc  # not botocore's: a bug of ours, reported as such by the CLI


def _client_error(exc: bce.ClientError, source: Signer, operation: str, subject: str | None) -> MfaExportError:
    """``subject``: the MFA serial for GetSessionToken, the role ARN for AssumeRole."""
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    message = error.get("Message", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if operation == "AssumeRole":
        refused = _assume_role_error(code, message, subject or "the role")
        if refused:
            return refused
    serial = subject
    if code == "AccessDenied" and "invalid MFA one time pass code" in message:
        return AwsRefused("MFA code rejected: wrong, expired or already used", "wait for the next code and run again")
    if code == "AccessDenied" and "unable to validate MFA code" in message:
        return AwsRefused(
            f"MFA device {serial} was not accepted for the IAM user of {source.label}",
            "check --serial-number / mfa_serial: it must be a device of that user",
        )
    if code == "AccessDenied" and "with session credentials" in message:
        return AwsRefused(
            f"{operation} was signed with session credentials ({source.label})",
            "use an IAM user's long-term keys (a profile with aws_access_key_id), not a session",
        )
    if code == "InvalidClientTokenId":
        return AwsRefused(
            f"AWS does not recognise access key {source.access_key_id} ({source.label})",
            "the key may be deleted or inactive: check it in IAM and update it with aws configure",
        )
    if code == "SignatureDoesNotMatch":
        return AwsRefused(
            f"the secret access key of {source.label} is wrong (signature mismatch)",
            "re-enter the key pair with: aws configure",
        )
    if code == "ExpiredToken":
        return AwsRefused(
            f"the credentials of {source.label} have expired", "use an IAM user's long-term keys, which do not expire"
        )
    if code in _THROTTLED:
        return ServiceError(f"AWS throttled {operation} ({message or code})", "wait a few seconds and run again")
    if code == "RegionDisabledException":
        return AwsRefused(
            f"STS is not active in this region for the account ({message or code})",
            "activate the region in IAM account settings, or pass --region us-east-1",
        )
    if status >= 500 or code in {"InternalFailure", "InternalError", "ServiceUnavailable"}:
        return ServiceError(
            f"AWS failed {operation} (HTTP {status} {code})", "the service had a problem: retry shortly"
        )
    return AwsRefused(
        f"AWS refused {operation}: {code}: {message}".rstrip(": "),
        "check the IAM user's permissions and the MFA device",
    )
