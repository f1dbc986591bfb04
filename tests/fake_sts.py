"""A strict fake of AWS STS and IAM (the parts mfa-export uses), served over real HTTP on loopback.

moto accepts any MFA code, session-signed calls and returns constant credentials; this fake does what
AWS does instead: it verifies each request's SigV4 signature against the caller's secret, accepts only
the current TOTP code of the user's device, rejects a code used before and GetSessionToken signed with
session credentials, with AWS's own error codes and messages. It can also misbehave on purpose (5xx,
throttling, slowness) and hand out credentials full of hostile characters.

Each rule it enforces names its source: the AWS STS API Reference (GetSessionToken, AssumeRole,
GetCallerIdentity), the IAM API Reference (ListMFADevices, ListAccessKeys, CreateAccessKey,
DeleteAccessKey), the IAM User Guide ("Methods to assume a role", "Request temporary security
credentials", "Comparing the AWS STS API operations"), or a peer's issue.

What it does not emulate: policies beyond a role's trust (its principals, aws:MultiFactorAuthPresent
and sts:ExternalId); session policies, tags, source identity and transitive tags; regional endpoints
and disabled regions; the root user's 1 h cap on GetSessionToken; GetSessionToken's credentials being
refused by IAM calls without MFA; AssumeRole's packed-policy size; clock skew past 15 minutes in any
other way than a signature that is expired; eventual consistency of IAM beyond a new key's delay
(key_ready); throttling except on request (fail_next).
"""

import base64
import hashlib
import hmac
import itertools
import os
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.totp import STEP, totp

MSG_BAD_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
MSG_BAD_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
    "serial number is valid and associated with this user."
)
MSG_SESSION_CREDS = "Cannot call GetSessionToken with session credentials"
MSG_BAD_KEY = "The security token included in the request is invalid."
MSG_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
MSG_EXPIRED = "The security token included in the request is expired"

_serial_numbers = itertools.count(1)


@dataclass
class User:
    name: str
    account: str
    access_key_id: str
    secret_access_key: str
    seed: str
    serial: str
    devices: list = field(default_factory=list)
    clock: object = time.time  # the fake's clock, which tests may move forward

    @property
    def arn(self):
        return f"arn:aws:iam::{self.account}:user/{self.name}"

    def code(self, at=None):
        """The device's current code. The fake accepts the previous and next window's codes too, as AWS
        does, so a code taken at a window's edge stays good for at least 30 s: no test has to wait."""
        return totp(self.seed, self.clock() if at is None else at)


@dataclass
class Role:
    arn: str
    trusted: set  # principal ARNs (users or roles) its trust policy names
    require_mfa: bool = True  # "Bool": {"aws:MultiFactorAuthPresent": "true"}
    external_id: str = None
    max_duration: int = 43200

    @property
    def name(self):
        return self.arn.rsplit("/", 1)[-1]

    @property
    def account(self):
        return self.arn.split(":")[4]


@dataclass
class Session:
    user: User
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    mfa: bool
    role: Role = None
    session_name: str = None

    @property
    def principal(self):
        return self.role.arn if self.role else self.user.arn

    @property
    def arn(self):
        if self.role:
            return f"arn:aws:sts::{self.role.account}:assumed-role/{self.role.name}/{self.session_name}"
        return self.user.arn


class AwsError(Exception):
    def __init__(self, status, code, message, kind="Sender"):
        super().__init__(message)
        self.status, self.code, self.message, self.kind = status, code, message, kind


def _xml_text(value):
    # Character references keep CR, LF and TAB exact: XML parsers normalise the raw characters.
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")


def caller_principal(caller):
    return caller.principal if isinstance(caller, Session) else caller.arn


def _sign(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


class FakeAws:
    def __init__(self):
        self.users = {}
        self.roles = {}
        self.sessions = {}
        self.used_codes = set()
        self.calls = []
        self.faults = []
        self.delay = 0.0
        self.hostile_credentials = None  # dict of AccessKeyId/SecretAccessKey/SessionToken overrides
        self.lock = threading.Lock()
        self.server = None
        self.skew = 0.0
        self.key_secrets = {}  # further access keys of users: id -> secret (a user's first is on the User)
        self.key_delay = 0.0  # seconds before a created key signs (IAM's eventual consistency)
        self.key_ready = {}  # id -> the time it starts to sign
        self.failing = {}  # action -> AwsError kind to answer it with ("500", "denied")

    def now(self):
        return time.time() + self.skew

    def advance(self, seconds=STEP):
        """Move the fake's clock (and its users' devices) on, e.g. to the next TOTP window."""
        self.skew += seconds

    # -- set-up -------------------------------------------------------------------------------------
    def add_user(self, name=None, devices=1):
        number = next(_serial_numbers)
        name = name or f"user{number}"
        seed = base64.b32encode(os.urandom(20)).decode().rstrip("=")
        user = User(
            name=name,
            account="123456789012",
            access_key_id=f"AKIAFAKE{number:012d}",
            secret_access_key=secrets.token_urlsafe(30),
            seed=seed,
            serial=f"arn:aws:iam::123456789012:mfa/{name}",
            clock=self.now,
        )
        user.devices = [user.serial] + [f"arn:aws:iam::123456789012:mfa/{name}-spare{i}" for i in range(1, devices)]
        if devices == 0:
            user.devices = []
        self.users[user.access_key_id] = user
        return user

    def add_role(self, name, account="222222222222", trusted=(), **options):
        role = Role(f"arn:aws:iam::{account}:role/{name}", set(trusted), **options)
        self.roles[role.arn] = role
        return role

    def fail_next(self, kind, count=1):
        """Queue faults for the next requests: '500', 'throttle'."""
        self.faults.extend([kind] * count)

    def refused(self):
        """The calls the fake refused, as (action, error code)."""
        return [(call["Action"], call["error"]) for call in self.calls if call["error"]]

    @staticmethod
    def signer(call):
        """The access key id that signed a call."""
        auth = {k.lower(): v for k, v in call["headers"].items()}.get("authorization", "")
        return auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else None

    def count(self, action):
        return sum(1 for call in self.calls if call["Action"] == action)

    # -- serving ------------------------------------------------------------------------------------
    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, xml = fake.handle("POST", self.path, dict(self.headers.items()), body)
                payload = xml.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hung up (timeouts, Ctrl-C tests) is not the fake's problem

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # -- request handling ---------------------------------------------------------------------------
    def handle(self, method, path, headers, body):
        params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        action = params.get("Action", "")
        request_id = secrets.token_hex(16)
        call = {"Action": action, "params": params, "headers": headers, "error": None}
        with self.lock:
            self.calls.append(call)
            fault = self.faults.pop(0) if self.faults else None
        if self.delay:
            time.sleep(self.delay)
        try:
            if fault == "500":
                raise AwsError(
                    500, "InternalFailure", "We encountered an internal error. Please try again.", "Receiver"
                )
            if fault == "throttle":
                raise AwsError(400, "Throttling", "Rate exceeded")
            caller, service = self.authenticate(method, path, headers, body)
            if self.failing.get(action) == "500":
                raise AwsError(500, "ServiceFailure", "The request processing has failed.", "Receiver")
            handler = {
                ("sts", "GetSessionToken"): self.get_session_token,
                ("sts", "GetCallerIdentity"): self.get_caller_identity,
                ("sts", "AssumeRole"): self.assume_role,
                ("iam", "ListMFADevices"): self.list_mfa_devices,
                ("iam", "ListAccessKeys"): self.list_access_keys,
                ("iam", "CreateAccessKey"): self.create_access_key,
                ("iam", "DeleteAccessKey"): self.delete_access_key,
            }.get((service, action))
            if handler is None:
                raise AwsError(400, "InvalidAction", f"Could not find operation {action} for version")
            with self.lock:
                result = handler(caller, params)
            namespace = "https://{}.amazonaws.com/doc/{}/".format(
                service,
                "2010-05-08" if service == "iam" else "2011-06-15",
            )
            return 200, (
                f'<{action}Response xmlns="{namespace}"><{action}Result>{result}</{action}Result>'
                f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
            )
        except AwsError as err:
            call["error"] = err.code
            return err.status, (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                f"<Type>{err.kind}</Type><Code>{err.code}</Code><Message>{_xml_text(err.message)}</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )

    def authenticate(self, method, path, headers, body):
        """Verify SigV4 the way AWS does; return (User or Session, service)."""
        lower = {k.lower(): v for k, v in headers.items()}
        auth = lower.get("authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            raise AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 ") :].split(","))
        key_id, date, region, service, terminal = fields["Credential"].split("/")
        signed_headers = fields["SignedHeaders"].split(";")
        amz_date = lower.get("x-amz-date", "")
        token = lower.get("x-amz-security-token")

        caller = secret = None
        if key_id in self.users and token is None:
            caller = self.users[key_id]
            secret = self.key_secrets.get(key_id, caller.secret_access_key)
            if time.time() < self.key_ready.get(key_id, 0):
                raise AwsError(403, "InvalidClientTokenId", MSG_BAD_KEY)
        elif key_id in self.sessions:
            caller = self.sessions[key_id]
            secret = caller.secret_access_key
            if token != caller.session_token:
                raise AwsError(403, "InvalidClientTokenId", MSG_BAD_KEY)
            # Expired session credentials: ExpiredToken, 403 (STS API Reference, Common Errors;
            # aws-vault #867 quotes the message).
            if caller.expiration < datetime.now(timezone.utc):
                raise AwsError(403, "ExpiredToken", MSG_EXPIRED)
        if caller is None:
            raise AwsError(403, "InvalidClientTokenId", MSG_BAD_KEY)

        parsed = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        canonical_query = "&".join(
            f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}" for k, v in sorted(query)
        )
        canonical_headers = "".join(f"{h}:{' '.join(lower.get(h, '').split())}\n" for h in signed_headers)
        payload_hash = hashlib.sha256(body).hexdigest()
        canonical_request = "\n".join(
            [
                method,
                urllib.parse.quote(parsed.path or "/", safe="/-_.~"),
                canonical_query,
                canonical_headers,
                ";".join(signed_headers),
                payload_hash,
            ]
        )
        scope = f"{date}/{region}/{service}/{terminal}"
        string_to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256",
                amz_date,
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        k = _sign(("AWS4" + secret).encode(), date)
        for part in (region, service, terminal):
            k = _sign(k, part)
        expected = hmac.new(k, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields.get("Signature", "")) or "host" not in signed_headers:
            raise AwsError(403, "SignatureDoesNotMatch", MSG_BAD_SIGNATURE)
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        if abs((datetime.now(timezone.utc) - signed_at).total_seconds()) > 900:
            raise AwsError(403, "SignatureDoesNotMatch", "Signature expired")
        return caller, service

    def _issue(self, user, duration, mfa, role=None, session_name=None):
        expiration = (datetime.now(timezone.utc) + timedelta(seconds=duration)).replace(microsecond=0)
        values = {
            "AccessKeyId": "ASIAFAKE" + secrets.token_hex(6).upper(),
            "SecretAccessKey": secrets.token_urlsafe(30),
            "SessionToken": "FwoGZXIvYXdzE" + secrets.token_urlsafe(120),
        }
        if self.hostile_credentials:
            values.update(self.hostile_credentials)
        session = Session(
            user,
            values["AccessKeyId"],
            values["SecretAccessKey"],
            values["SessionToken"],
            expiration,
            mfa,
            role,
            session_name,
        )
        self.sessions[session.access_key_id] = session
        return session

    def get_session_token(self, caller, params):
        # Not with temporary credentials; 900-129600 s for IAM users (STS API Reference, GetSessionToken).
        if isinstance(caller, Session):
            raise AwsError(403, "AccessDenied", MSG_SESSION_CREDS)
        duration = int(params.get("DurationSeconds", 43200))
        if not 900 <= duration <= 129600:
            raise AwsError(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy "
                "constraint: Member must have value less than or equal to 129600",
            )
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if (serial is None) != (code is None):
            raise AwsError(400, "ValidationError", "SerialNumber and TokenCode must be given together")
        mfa = serial is not None
        if mfa:
            self._check_code(caller, serial, code)
        return self._credentials_xml(self._issue(caller, duration, mfa))

    def _check_code(self, caller, serial, code):
        # The device must be the caller's; a code is good once (IAM User Guide, "Using MFA devices":
        # a code cannot be reused; AWS answers a reused code as a wrong one).
        if serial not in caller.devices:
            raise AwsError(403, "AccessDenied", MSG_BAD_SERIAL)
        # Like AWS: the codes of the current 30-second window and of its neighbours (clock skew).
        accepted = {totp(caller.seed, self.now() + shift) for shift in (-STEP, 0, STEP)}
        if serial != caller.serial or code not in accepted or (caller.access_key_id, code) in self.used_codes:
            raise AwsError(403, "AccessDenied", MSG_BAD_CODE)
        self.used_codes.add((caller.access_key_id, code))

    @staticmethod
    def _credentials_xml(session):
        return (
            "<Credentials>"
            f"<AccessKeyId>{_xml_text(session.access_key_id)}</AccessKeyId>"
            f"<SecretAccessKey>{_xml_text(session.secret_access_key)}</SecretAccessKey>"
            f"<SessionToken>{_xml_text(session.session_token)}</SessionToken>"
            f"<Expiration>{session.expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
            "</Credentials>"
        )

    def assume_role(self, caller, params):
        role = self.roles.get(params.get("RoleArn"))
        denied = AwsError(
            403,
            "AccessDenied",
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {params.get('RoleArn')}",
        )
        mfa = isinstance(caller, Session) and caller.mfa
        if not isinstance(caller, Session) and "SerialNumber" in params:
            # An IAM user assuming the role with its MFA code in the call, as the AWS CLI and SDKs do
            # (STS API Reference, AssumeRole: SerialNumber and TokenCode).
            self._check_code(caller, params.get("SerialNumber"), params.get("TokenCode"))
            mfa = True
        # The trust policy: its principal, aws:MultiFactorAuthPresent, sts:ExternalId (IAM User Guide,
        # "Configuring MFA-protected API access", "How to use an external ID").
        if role is None or caller_principal(caller) not in role.trusted or (role.require_mfa and not mfa):
            raise denied
        if role.external_id != params.get("ExternalId"):
            raise denied
        name = params.get("RoleSessionName", "")
        if not 2 <= len(name) <= 64 or any(not (c.isalnum() or c in "_+=,.@-") for c in name):
            raise AwsError(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint",
            )
        duration = int(params.get("DurationSeconds", 3600))
        # Role chaining is any AssumeRole signed with temporary credentials, GetSessionToken's
        # included; it is limited to 1 h (IAM User Guide, "Methods to assume a role": "Role chaining
        # limits your session to a maximum of one hour"; STS API Reference, AssumeRole,
        # DurationSeconds). The answer is 400 ValidationError, as users of aws-vault (#263, #867) and
        # awsume (#73, #114) saw it with MFA sessions.
        chained = isinstance(caller, Session)
        if chained and duration > 3600:
            raise AwsError(
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            )
        # 900 s up to the role's MaxSessionDuration (1-12 h; STS API Reference, AssumeRole).
        if not 900 <= duration <= role.max_duration:
            raise AwsError(
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            )
        user = caller.user if isinstance(caller, Session) else caller
        session = self._issue(user, duration, mfa, role=role, session_name=name)
        return (
            self._credentials_xml(session) + "<AssumedRoleUser>"
            f"<AssumedRoleId>AROAFAKE{role.name.upper()}:{name}</AssumedRoleId><Arn>{session.arn}</Arn>"
            "</AssumedRoleUser>"
        )

    def get_caller_identity(self, caller, params):
        # Needs no permission and answers for any valid credentials (STS API Reference, GetCallerIdentity).
        account = (
            caller.role.account
            if isinstance(caller, Session) and caller.role
            else caller.user.account
            if isinstance(caller, Session)
            else caller.account
        )
        return f"<Arn>{caller.arn}</Arn><UserId>AIDAFAKE</UserId><Account>{account}</Account>"

    def _key_owner(self, caller, action):
        """IAM key calls: the caller's own user, signed by an MFA session (as a force-MFA policy asks:
        IAM User Guide, "AWS: Allows MFA-authenticated IAM users to manage their own credentials")."""
        if not (isinstance(caller, Session) and caller.mfa and caller.role is None):
            raise AwsError(403, "AccessDenied", f"not authorized to perform iam:{action} without MFA")
        return caller.user

    def keys_of(self, user):
        return [key for key, owner in self.users.items() if owner is user]

    def list_access_keys(self, caller, params):
        user = self._key_owner(caller, "ListAccessKeys")
        members = "".join(
            f"<member><UserName>{user.name}</UserName><AccessKeyId>{key}</AccessKeyId><Status>Active</Status>"
            "<CreateDate>2024-01-01T00:00:00Z</CreateDate></member>"
            for key in self.keys_of(user)
        )
        return f"<IsTruncated>false</IsTruncated><AccessKeyMetadata>{members}</AccessKeyMetadata>"

    def create_access_key(self, caller, params):
        user = self._key_owner(caller, "CreateAccessKey")
        # Two access keys per user at most (IAM User Guide, "IAM and AWS STS quotas"; IAM API Reference,
        # CreateAccessKey: LimitExceeded, 409).
        if len(self.keys_of(user)) >= 2:
            raise AwsError(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
        key_id, secret = "AKIAFAKE" + secrets.token_hex(6).upper(), secrets.token_urlsafe(30)
        self.users[key_id] = user
        self.key_secrets[key_id] = secret
        self.key_ready[key_id] = time.time() + self.key_delay
        return (
            f"<AccessKey><UserName>{user.name}</UserName><AccessKeyId>{key_id}</AccessKeyId>"
            f"<Status>Active</Status><SecretAccessKey>{secret}</SecretAccessKey></AccessKey>"
        )

    def delete_access_key(self, caller, params):
        user = self._key_owner(caller, "DeleteAccessKey")
        key_id = params.get("AccessKeyId")
        # NoSuchEntity, 404, for a key the user does not have (IAM API Reference, DeleteAccessKey).
        if self.users.get(key_id) is not user:
            raise AwsError(404, "NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")
        del self.users[key_id]
        self.key_secrets.pop(key_id, None)
        return ""

    def list_mfa_devices(self, caller, params):
        # UserName defaults to the caller; the force-MFA policy allows it for one's own user without
        # MFA (IAM API Reference, ListMFADevices; the IAM User Guide's force-MFA example policy).
        if isinstance(caller, Session) and not caller.mfa:
            raise AwsError(403, "AccessDenied", "not authorized to perform iam:ListMFADevices")
        user = caller.user if isinstance(caller, Session) else caller
        if params.get("UserName") not in (None, user.name):
            raise AwsError(403, "AccessDenied", "not authorized to perform iam:ListMFADevices on another user")
        if getattr(user, "deny_list_devices", False):
            raise AwsError(403, "AccessDenied", f"User: {user.arn} is not authorized to perform: iam:ListMFADevices")
        members = "".join(
            f"<member><UserName>{user.name}</UserName><SerialNumber>{serial}</SerialNumber>"
            "<EnableDate>2024-01-01T00:00:00Z</EnableDate></member>"
            for serial in user.devices
        )
        return f"<IsTruncated>false</IsTruncated><MFADevices>{members}</MFADevices>"
