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
from mfa_export.inifile import IniError, IniIndex, IniText

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
        raise _failed(path, text, exc) from None


def read_ini(path: str) -> IniText:
    text = read_text(path)
    return parse(path, text if text is not None else "")


def _failed(path: str, text: str, exc: IniError) -> ConfigError:
    if text.startswith(BOM):
        return ConfigError(
            f"cannot read {path}: it starts with a byte-order mark",
            "save it as UTF-8 without BOM; the AWS CLI cannot read it either",
        )
    return ConfigError(f"cannot read {path}: {exc}", "fix that line; the AWS CLI cannot read this file either")


class _Sections:
    """IniIndex with its errors turned into ConfigError naming the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        text = read_text(path)
        self.text = text if text is not None else ""
        try:
            self.index = IniIndex(self.text)
        except IniError as exc:
            raise _failed(path, self.text, exc) from None
        self._whole: IniText | None = None

    @property
    def ini(self) -> IniText:
        """The whole file parsed (and so checked), for the paths that edit it."""
        if self._whole is None:
            self._whole = parse(self.path, self.text)
        return self._whole

    @property
    def sections(self) -> dict[str, None]:
        return self.index.sections

    def headers_with(self, words: tuple[str, ...]) -> list[str]:
        return self.index.headers_with(words)

    def values(self, name: str) -> dict[str, str] | None:
        try:
            return self.index.values(name)
        except IniError as exc:
            raise _failed(self.path, self.text, exc) from None


class _Names:
    def __init__(self, names: list[str]) -> None:
        self.sections = names


def profile_sections(ini: IniText | _Sections | _Names) -> dict[str, str]:
    """{profile name: section name} of a config file, as botocore's build_profile_map makes it."""
    profiles = {}
    for name in ini.sections:
        if name.startswith("profile"):
            parts = _split_words(name)
            if parts is None:  # botocore skips a section name shlex cannot split
                continue
            if len(parts) == 2:
                profiles[parts[1]] = name
        elif name == "default":
            profiles["default"] = name
    return profiles


def _split_words(name: str) -> list[str] | None:
    """shlex.split(name), or None where it raises. shlex (posix, no comments) treats only quotes and
    backslashes specially, and splits at ' ', tab, CR and LF; a printable name (no whitespace but
    ' ') without quotes or backslashes therefore splits at its spaces, with no shlex call: thousands
    of profiles are listed at every TAB."""
    if name.isprintable() and not ("'" in name or '"' in name or "\\" in name):
        return [word for word in name.split(" ") if word]
    import shlex

    try:
        return shlex.split(name)
    except ValueError:
        return None


class AwsFiles:
    """The two files, read once, each section parsed when first asked for, with lookups by profile name."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.config_file = config_path(environ)
        self.credentials_file = credentials_path(environ)
        self._config: _Sections | None = None
        self._credentials: _Sections | None = None
        self._profiles: dict[str, str | None] = {}  # profile -> section, as looked up
        self._all: dict[str, str] | None = None  # every profile's section, once many were looked up

    @property
    def config_ini(self) -> _Sections:
        if self._config is None:
            self._config = _Sections(self.config_file)
        return self._config

    @property
    def credentials_ini(self) -> _Sections:
        if self._credentials is None:
            self._credentials = _Sections(self.credentials_file)
        return self._credentials

    def config_section(self, profile: str) -> str | None:
        """The config file's section name that botocore reads for ``profile``, or None."""
        if profile not in self._profiles and len(self._profiles) >= 8 and self._all is None:
            self._all = profile_sections(self.config_ini)  # many lookups: map every header once
        if self._all is not None:
            return self._all.get(profile)
        if profile not in self._profiles:
            # Only a header that holds the name, or quotes that shlex joins, can map to it: no need
            # to map all of them.
            words = (profile, "'", '"', "\\") if profile else ("",)
            candidates = profile_sections(_Names(self.config_ini.headers_with(words)))
            self._profiles[profile] = candidates.get(profile)
        return self._profiles[profile]

    def config(self, profile: str) -> dict[str, str]:
        section = self.config_section(profile)
        return (self.config_ini.values(section) or {}) if section else {}

    def credentials(self, profile: str) -> dict[str, str]:
        return self.credentials_ini.values(profile) or {}

    def has_profile(self, profile: str) -> bool:
        return self.config_section(profile) is not None or self.credentials_ini.values(profile) is not None

    def profile_names(self) -> list[str]:
        return sorted(set(profile_sections(self.config_ini)) | set(self.credentials_ini.sections))
