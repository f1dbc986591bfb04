"""Resolve what to do from flags, environment and the AWS files (flags > env > profile > defaults).

Everything here reads the files with configparser (awsconfig.py), never botocore: a run served from
the cache must know its profile, device, role chain and region without importing botocore.
"""

from __future__ import annotations

from collections import namedtuple

from mfa_export import inputs
from mfa_export.awsconfig import AwsFiles
from mfa_export.errors import ConfigError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping

    from mfa_export.request import Request as Namespace

DEFAULT_ROLE_DURATION = 3600
MAX_ROLE_DURATION = 43200
CHAINED_ROLE_DURATION = 3600  # AWS's limit for a role assumed with another role's credentials


class Settings(
    namedtuple(
        "Settings",
        [
            "profile",
            "selected",
            "serial",
            "serial_source",
            "duration",
            "mfa_duration",
            "region",
            "config_file",
            "credentials_file",
            "source_identity",
            "code_command",
            "roles",
            "keyring_key",
        ],
        defaults=(None, (), None),
    )
):
    __slots__ = ()

    if TYPE_CHECKING:  # the fields' types, which mypy cannot read from namedtuple
        profile: str | None  # the long-term profile whose keys sign GetSessionToken; None: keys from the environment
        selected: str | None  # the profile the user chose (a role profile, say); what MFA_EXPORT_PROFILE repeats
        serial: str | None  # None: discover it with iam:ListMFADevices
        serial_source: str  # where the serial came from, for messages
        duration: int  # lifetime of the exported credentials (the role session's, for roles)
        mfa_duration: int  # lifetime of the MFA session itself
        region: str | None
        config_file: str
        credentials_file: str
        source_identity: str  # names the long-term keys in cache keys, without loading them
        code_command: str | None  # the profile's mfa_process
        roles: tuple[RoleStep, ...]  # from the one the MFA session assumes outwards; () for no role
        keyring_key: str | None  # the access key id, when the keys are in the OS keyring (keystore.py)

    @property
    def uses_env_keys(self) -> bool:
        return self.profile is None

    @property
    def source_label(self) -> str:
        """Where the long-term keys come from, as messages name it."""
        return f"profile {self.profile}" if self.profile else "the environment's keys"


# One AssumeRole: role_arn, external_id, session_name (None: a default from the device), and
# the profile it was defined in (or "--role-arn").
class RoleStep(namedtuple("RoleStep", "role_arn external_id session_name origin")):
    __slots__ = ()

    if TYPE_CHECKING:
        role_arn: str
        external_id: str | None
        session_name: str | None
        origin: str


def _named_profile(args: Namespace, environ: Mapping[str, str]) -> str | None:
    """The profile the user named, in design.md's order, or None when none is named anywhere."""
    for value in (args.profile, environ.get("AWS_PROFILE"), environ.get("MFA_EXPORT_PROFILE")):
        if value:
            return value
    return None


def _has_long_term_env_keys(environ: Mapping[str, str]) -> bool:
    return bool(
        environ.get("AWS_ACCESS_KEY_ID")
        and environ.get("AWS_SECRET_ACCESS_KEY")
        and not environ.get("AWS_SESSION_TOKEN")
    )


def role_chain(files: AwsFiles, selected: str) -> tuple[str, tuple[RoleStep, ...]]:
    """(base profile with the keys, [RoleStep from the base outwards]) for ``selected``."""
    steps: list[RoleStep] = []
    name = selected
    seen: list[str] = []
    while files.config(name).get("role_arn"):
        config = files.config(name)
        if name in seen:
            raise ConfigError(
                "source_profile loop: " + " -> ".join(seen + [name]), "make the chain end at a profile with access keys"
            )
        seen.append(name)
        if config.get("credential_source") and not config.get("source_profile"):
            raise ConfigError(
                f"profile {name} uses credential_source, which mfa-export does not support",
                "give it a source_profile with an IAM user's access keys",
            )
        source = config.get("source_profile")
        if not source:
            raise ConfigError(
                f"role profile {name} has no source_profile", "add source_profile = PROFILE-WITH-ACCESS-KEYS"
            )
        steps.append(_role_step(config, name))
        if source == name:  # botocore's rule: a profile that is its own source uses its own keys
            break
        if not files.has_profile(source):
            raise ConfigError(
                f"source_profile {source} of profile {name} is not defined", f"add [profile {source}] or fix the name"
            )
        name = source
    return name, tuple(reversed(steps))


def _role_step(config: dict[str, str], origin: str) -> RoleStep:
    role_arn = config["role_arn"].strip()
    if not inputs.is_role_arn(role_arn):
        raise ConfigError(
            f"role_arn of profile {origin} is not a role ARN: {role_arn!r}",
            "expected arn:aws:iam::123456789012:role/NAME",
        )
    session_name = config.get("role_session_name")
    if session_name is not None and not inputs.is_session_name(session_name):
        raise ConfigError(
            f"role_session_name of profile {origin} is not valid", "use 2-64 of letters, digits and +=,.@_-"
        )
    return RoleStep(role_arn, config.get("external_id"), session_name, origin)


def _serial(
    args: Namespace, environ: Mapping[str, str], files: AwsFiles, chain_profiles: list[str], base: str | None
) -> tuple[str | None, str]:
    if args.serial_number:
        return inputs.check_serial(args.serial_number, "--serial-number"), "--serial-number"
    # The selected profile first, then each source_profile down to the one with the keys.
    for name in chain_profiles:
        value = files.config(name).get("mfa_serial")
        if value:
            where = f"mfa_serial of profile {name}"
            return inputs.check_serial(value, where, ConfigError), where
    if base is not None:
        creds = files.credentials(base)
        for key in ("aws_arn_mfa", "mfa_serial"):
            if creds.get(key):
                where = f"{key} of [{base}] in {files.credentials_file}"
                return inputs.check_serial(creds[key], where, ConfigError), where
    if environ.get("AWS_MFA_SERIAL"):
        return inputs.check_serial(environ["AWS_MFA_SERIAL"], "$AWS_MFA_SERIAL", ConfigError), "$AWS_MFA_SERIAL"
    return None, "iam:ListMFADevices"


def _chain_profiles(files: AwsFiles, selected: str, base: str, roles: tuple[RoleStep, ...]) -> list[str]:
    """Profiles from the selected one down to the one with the keys: where settings are looked up."""
    names = [selected] + [step.origin for step in reversed(roles)] + [base]
    # A profile's source_profile lends its mfa_serial even where there is no role to assume.
    names.append(files.config(selected).get("source_profile"))
    return [n for i, n in enumerate(names) if n and n not in names[:i]]


def _region(args: Namespace, environ: Mapping[str, str], files: AwsFiles, selected: str | None) -> str | None:
    if args.region:
        return inputs.check_region(args.region, "--region")
    candidates = [
        (environ.get("AWS_REGION"), "$AWS_REGION"),
        (environ.get("AWS_DEFAULT_REGION"), "$AWS_DEFAULT_REGION"),
    ]
    if selected is not None:
        # As botocore does, the selected profile's own region; it wins over the environment, which
        # may hold the region an earlier export set for another profile.
        candidates.insert(0, (files.config(selected).get("region"), f"region of profile {selected}"))
    else:
        candidates.append((files.config("default").get("region"), "region of profile default"))
    for value, source in candidates:
        if value:
            return inputs.check_region(value, source, ConfigError)
    return None


def _role_duration(args: Namespace, files: AwsFiles, selected: str | None, roles: tuple[RoleStep, ...]) -> int:
    if args.duration:
        duration = inputs.parse_duration(args.duration)
        where = "-d"
    else:
        raw = files.config(selected).get("duration_seconds") if selected else None
        where = f"duration_seconds of profile {selected}"
        try:
            duration = int(raw) if raw else DEFAULT_ROLE_DURATION
        except ValueError:
            raise ConfigError(f"{where} is not a number of seconds: {raw!r}") from None
    if not inputs.MIN_DURATION <= duration <= MAX_ROLE_DURATION:
        raise UsageError(
            f"{where} asks for a {duration}s role session; AssumeRole allows 900 to 43200", "choose between 15m and 12h"
        )
    if len(roles) > 1 and duration > CHAINED_ROLE_DURATION:
        raise UsageError(
            f"{where} asks for a {duration // 60}m session, but {roles[-1].role_arn} is assumed with the "
            f"credentials of another role (role chaining), which AWS limits to 1h",
            "use -d 1h or less for this profile",
        )
    return duration


def resolve(args: Namespace, environ: Mapping[str, str], files: AwsFiles | None = None) -> Settings:
    """``files``: the parsed AWS files, when the caller resolves many profiles from one reading."""
    files = files or AwsFiles(environ)
    named = _named_profile(args, environ)
    roles: tuple[RoleStep, ...] = ()
    base: str | None
    selected: str | None
    if named is None and _has_long_term_env_keys(environ):
        base = selected = None
        chain_profiles: list[str] = []
    else:
        selected = named or "default"
        if not files.has_profile(selected) and selected not in _keyring_index(environ):
            raise _missing_profile(selected, named, environ, files)
        base, roles = role_chain(files, selected)
        chain_profiles = _chain_profiles(files, selected, base, roles)
    role_arn = getattr(args, "role_arn", None)
    if role_arn:
        if not inputs.is_role_arn(role_arn):
            raise UsageError(
                f"--role-arn {role_arn!r} is not a role ARN", "expected arn:aws:iam::123456789012:role/NAME"
            )
        roles = roles + (RoleStep(role_arn, None, None, "--role-arn"),)
    serial, serial_source = _serial(args, environ, files, chain_profiles, base)
    if roles:
        duration = _role_duration(args, files, selected, roles)
        mfa_duration = inputs.DEFAULT_DURATION
    else:
        duration = mfa_duration = inputs.parse_duration(args.duration) if args.duration else inputs.DEFAULT_DURATION
    code_command = None
    for name in chain_profiles:
        code_command = code_command or files.config(name).get("mfa_process")
    keyring_key = _keyring_key(environ, files, base)
    return Settings(
        profile=base,
        selected=selected,
        serial=serial,
        serial_source=serial_source,
        duration=duration,
        mfa_duration=mfa_duration,
        region=_region(args, environ, files, selected),
        config_file=files.config_file,
        credentials_file=files.credentials_file,
        source_identity=f"key:{keyring_key}" if keyring_key else source_identity(environ, files, base),
        code_command=code_command,
        roles=roles,
        keyring_key=keyring_key,
    )


def _keyring_index(environ: Mapping[str, str]) -> dict[str, str]:
    from mfa_export.keystore import read_index

    return read_index(environ)


def _keyring_key(environ: Mapping[str, str], files: AwsFiles, profile: str | None) -> str | None:
    """The key id of ``profile``'s keys in the OS keyring, when botocore finds none in the files
    (keys or a credential_process in a file win, as they would for every AWS tool)."""
    if profile is None:
        return None
    for values in (files.credentials(profile), files.config(profile)):
        if values.get("aws_access_key_id") or values.get("credential_process"):
            return None
    return _keyring_index(environ).get(profile)


def source_identity(environ: Mapping[str, str], files: AwsFiles, profile: str | None) -> str:
    """The access key id when it can be read cheaply (a rotated key then misses the cache), else the profile."""
    if profile is None:
        return "env:" + environ["AWS_ACCESS_KEY_ID"]
    key = files.credentials(profile).get("aws_access_key_id") or files.config(profile).get("aws_access_key_id")
    return f"key:{key}" if key else f"profile:{profile}@{files.config_file}"


def _missing_profile(profile: str, named: str | None, environ: Mapping[str, str], files: AwsFiles) -> ConfigError:
    where = f"{files.config_file} or {files.credentials_file}"
    if named is not None:
        return ConfigError(
            f"profile {profile} is not in {where}",
            "check the name (known: " + (", ".join(files.profile_names()) or "none") + ")",
        )
    if environ.get("AWS_SESSION_TOKEN"):
        return ConfigError(
            "no long-term keys: the environment holds session credentials and no profile is named",
            "name the profile with long-term keys: -p NAME",
        )
    return ConfigError(
        f"no AWS credentials: no profile named, no [default] in {where}, no keys in the environment",
        "run 'aws configure', pass -p NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    )
