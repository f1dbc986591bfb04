"""Read the AWS config and credentials files the way botocore locates and maps them, without importing it.

Settings (mfa_serial, region, source_profile) are needed on the cached path, where importing
botocore would cost a quarter of a second; the keys themselves are left to botocore (sts.py). Both
files go through inifile.py, the same reader the --write-profile editor uses, so what a run reads
and what it edits are the same sections.
"""

from __future__ import annotations

import os
import stat

from mfa_export.errors import ConfigError
from mfa_export.inifile import IniError, IniText

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping

BOM = "\ufeff"


def config_path(environ: Mapping[str, str]) -> str:
    return os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_path(environ: Mapping[str, str]) -> str:
    return os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def read_text(path: str) -> str | None:
    """The file's text, or None when there is no regular file (botocore then reads nothing, too).

    A FIFO or device at the path is never opened: botocore skips anything that is not a regular
    file, and opening a FIFO would block the run.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except PermissionError:
        raise ConfigError(
            f"cannot read {path}: permission denied", f"check the file's owner and mode (ls -l {path})"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"cannot read {path}: not UTF-8 text (byte {exc.start})",
            "save it as UTF-8; the AWS CLI cannot read it either",
        ) from None


def parse(path: str, text: str) -> IniText:
    try:
        return IniText(text)
    except IniError as exc:
        if text.startswith(BOM):
            raise ConfigError(
                f"cannot read {path}: it starts with a byte-order mark",
                "save it as UTF-8 without BOM; the AWS CLI cannot read it either",
            ) from None
        raise ConfigError(
            f"cannot read {path}: {exc}", "fix that line; the AWS CLI cannot read this file either"
        ) from None


def read_ini(path: str) -> IniText:
    text = read_text(path)
    return parse(path, text if text is not None else "")


def profile_sections(ini: IniText) -> dict[str, str]:
    """{profile name: section name} of a config file, as botocore's build_profile_map makes it."""
    profiles = {}
    for name in ini.sections:
        if name.startswith("profile"):
            parts = _words(name)
            if parts is not None and len(parts) == 2:
                profiles[parts[1]] = name
        elif name == "default":
            profiles["default"] = name
    return profiles


_SHLEX_SPACE = str.maketrans("\t\r\n", "   ")  # shlex's whitespace, as spaces


def _words(text: str) -> list[str] | None:
    """shlex.split(text), without importing shlex for the common names that need no quoting."""
    if not any(c in text for c in "'\"\\"):
        return [word for word in text.translate(_SHLEX_SPACE).split(" ") if word]
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return None


class AwsFiles:
    """The two files, parsed once, with lookups by profile name."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.config_file = config_path(environ)
        self.credentials_file = credentials_path(environ)
        self._config: IniText | None = None
        self._credentials: IniText | None = None
        self._profiles: dict[str, str] = {}

    @property
    def config_ini(self) -> IniText:
        if self._config is None:
            self._config = read_ini(self.config_file)
            self._profiles = profile_sections(self._config)
        return self._config

    @property
    def credentials_ini(self) -> IniText:
        if self._credentials is None:
            self._credentials = read_ini(self.credentials_file)
        return self._credentials

    def config_section(self, profile: str) -> str | None:
        """The config file's section name that botocore reads for ``profile``, or None."""
        self.config_ini  # noqa: B018 - parses on first use
        return self._profiles.get(profile)

    def config(self, profile: str) -> dict[str, str]:
        section = self.config_section(profile)
        return (self.config_ini.values(section) or {}) if section else {}

    def credentials(self, profile: str) -> dict[str, str]:
        return self.credentials_ini.values(profile) or {}

    def has_profile(self, profile: str) -> bool:
        return self.config_section(profile) is not None or profile in self.credentials_ini.sections

    def profile_names(self) -> list[str]:
        self.config_ini  # noqa: B018 - parses on first use
        return sorted(set(self._profiles) | set(self.credentials_ini.sections))
