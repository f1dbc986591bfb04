"""Resolve what to do from flags, environment and the AWS files (flags > env > profile > defaults)."""

from collections import namedtuple

from mfa_export import inputs
from mfa_export.awsconfig import AwsFiles
from mfa_export.errors import ConfigError


_FIELDS = (
    "profile",  # the long-term profile; None when the keys come from the environment
    "serial",  # None: discover it with iam:ListMFADevices
    "serial_source",  # where the serial came from, for messages
    "duration",
    "region",
    "config_file",
    "credentials_file",
    "source_identity",  # names the long-term keys in cache keys, without loading them
    "code_command",  # the profile's mfa_process
)


class Settings(namedtuple("Settings", _FIELDS, defaults=(None,))):
    __slots__ = ()

    @property
    def uses_env_keys(self):
        return self.profile is None


def _named_profile(args, environ):
    """The profile the user named, in design.md's order, or None when none is named anywhere."""
    for value in (args.profile, environ.get("AWS_PROFILE"), environ.get("MFA_EXPORT_PROFILE")):
        if value:
            return value
    return None


def _has_long_term_env_keys(environ):
    return bool(
        environ.get("AWS_ACCESS_KEY_ID")
        and environ.get("AWS_SECRET_ACCESS_KEY")
        and not environ.get("AWS_SESSION_TOKEN")
    )


def _serial(args, environ, files, profile):
    if args.serial_number:
        return inputs.check_serial(args.serial_number, "--serial-number"), "--serial-number"
    if profile is not None:
        config = files.config(profile)
        if config.get("mfa_serial"):
            where = f"mfa_serial of profile {profile}"
            return inputs.check_serial(config["mfa_serial"], where, ConfigError), where
        source = config.get("source_profile")
        if source and files.config(source).get("mfa_serial"):
            where = f"mfa_serial of profile {source}"
            return inputs.check_serial(files.config(source)["mfa_serial"], where, ConfigError), where
        creds = files.credentials(profile)
        for key in ("aws_arn_mfa", "mfa_serial"):
            if creds.get(key):
                where = f"{key} of [{profile}] in {files.credentials_file}"
                return inputs.check_serial(creds[key], where, ConfigError), where
    if environ.get("AWS_MFA_SERIAL"):
        return inputs.check_serial(environ["AWS_MFA_SERIAL"], "$AWS_MFA_SERIAL", ConfigError), "$AWS_MFA_SERIAL"
    return None, "iam:ListMFADevices"


def _region(args, environ, files, profile):
    if args.region:
        return args.region
    env_region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if profile is not None:
        # The profile's region wins over the environment: the environment may hold the region an
        # earlier export set for another profile.
        return files.config(profile).get("region") or env_region
    return env_region or files.config("default").get("region")


def resolve(args, environ):
    files = AwsFiles(environ)
    named = _named_profile(args, environ)
    if named is None and _has_long_term_env_keys(environ):
        profile = None
    else:
        profile = named or "default"
        if not files.has_profile(profile):
            raise _missing_profile(profile, named, environ, files)
        if files.config(profile).get("role_arn"):
            raise ConfigError(
                f"profile {profile} is a role profile (role_arn)",
                f"name its source profile instead: -p {files.config(profile).get('source_profile', 'SOURCE')}",
            )
    serial, serial_source = _serial(args, environ, files, profile)
    duration = inputs.parse_duration(args.duration) if args.duration else inputs.DEFAULT_DURATION
    return Settings(
        profile=profile,
        source_identity=_source_identity(environ, files, profile),
        code_command=files.config(profile).get("mfa_process") if profile else None,
        serial=serial,
        serial_source=serial_source,
        duration=duration,
        region=_region(args, environ, files, profile),
        config_file=files.config_file,
        credentials_file=files.credentials_file,
    )


def _source_identity(environ, files, profile):
    """The access key id when it can be read cheaply (a rotated key then misses the cache), else the profile."""
    if profile is None:
        return "env:" + environ["AWS_ACCESS_KEY_ID"]
    key = files.credentials(profile).get("aws_access_key_id") or files.config(profile).get("aws_access_key_id")
    return f"key:{key}" if key else f"profile:{profile}@{files.config_file}"


def _missing_profile(profile, named, environ, files):
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
