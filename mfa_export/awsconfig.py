"""Read the AWS config and credentials files the way botocore locates them, without importing it.

Settings (mfa_serial, region, source_profile) are needed on the cached path, where importing
botocore would cost a quarter of a second; the keys themselves are left to botocore (sts.py).
"""

import configparser
import os

from mfa_export.errors import ConfigError


def config_path(environ):
    return os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_path(environ):
    return os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def _read(path):
    parser = configparser.RawConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        return {}
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}".splitlines()[0], "fix the file's syntax") from None
    return {name: dict(parser.items(name)) for name in parser.sections()}


class AwsFiles:
    """The two files, parsed once, with lookups by profile name."""

    def __init__(self, environ):
        self.config_file = config_path(environ)
        self.credentials_file = credentials_path(environ)
        self._config = None
        self._credentials = None

    @property
    def config_sections(self):
        if self._config is None:
            raw = _read(self.config_file)
            sections = {}
            for name, values in raw.items():
                if name.startswith("profile "):
                    sections[name[len("profile "):].strip()] = values
                elif name == "default":
                    sections.setdefault("default", values)
            self._config = sections
        return self._config

    @property
    def credentials_sections(self):
        if self._credentials is None:
            self._credentials = _read(self.credentials_file)
        return self._credentials

    def config(self, profile):
        return self.config_sections.get(profile, {})

    def credentials(self, profile):
        return self.credentials_sections.get(profile, {})

    def has_profile(self, profile):
        return profile in self.config_sections or profile in self.credentials_sections

    def profile_names(self):
        return sorted(set(self.config_sections) | set(self.credentials_sections))
