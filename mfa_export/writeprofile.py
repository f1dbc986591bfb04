"""--write-profile: put a session into the shared credentials file (and its region into the config
file) without disturbing anything else in files that hold the user's long-term keys.

Two phases. ``ProfileWriter`` checks everything that can be checked before an MFA code is spent:
the NAME, both files' syntax (botocore's dialect, inifile.py), that [NAME] holds no long-term keys
and is no profile this run reads, and that the files can be replaced. ``write`` runs after the code
and the STS call: under a lock on each file it reads the file again, changes only the target section
(the config file only to add a missing region), checks the result parses to exactly that change,
and replaces the file atomically with its mode and owner. Nothing another process wrote meanwhile
is lost, and the lock is never held while waiting for a person.
"""

from __future__ import annotations

import os
import stat
import time
import unicodedata

from mfa_export import awsconfig
from mfa_export.atomic import make_private_dirs, remove_stale_temps, replace_file
from mfa_export.credentials import format_utc, parse_utc
from mfa_export.errors import ConfigError
from mfa_export.inifile import DEFAULT_SECTION

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mfa_export.awsconfig import AwsFiles
    from mfa_export.credentials import Credentials
    from mfa_export.inifile import IniText
    from mfa_export.settings import Settings
    from mfa_export.summary import Reporter

EXPIRY_KEY = "x_security_token_expires"  # the key other tools already read

# Config keys that botocore's provider chain prefers to the credentials file (a session written there
# would be ignored), and credential_process, which the written session would silently hide.
_OVERRIDING = ("role_arn", "credential_source", "web_identity_token_file", "sso_session", "sso_start_url")
_HIDDEN = ("credential_process",)
_NAME_FORBIDDEN = set("[];#=\"'\\")


def check_name(name: str, flag: str = "--write-profile") -> None:
    """Refuse a NAME that could not stand as one [NAME] header read back as NAME by every reader."""
    problem = None
    if not name:
        problem = "is empty"
    elif name != name.strip():
        problem = "starts or ends with white space"
    elif any(c in _NAME_FORBIDDEN for c in name):
        problem = "holds one of [ ] ; # = ' \" \\"
    elif _has_break_or_control(name):
        problem = "holds a line break or control character"
    elif name == DEFAULT_SECTION:
        problem = "is the INI default section, whose keys every profile inherits"
    if problem:
        raise ConfigError(f"{flag} {name!r} {problem}", f"choose a plain name, e.g. {flag} mfa")


def _has_break_or_control(text: str) -> bool:
    return (
        len(text.splitlines()) > 1
        or text.endswith(("\n", "\r"))
        or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)
    )


def check_value(key: str, value: str) -> None:
    if value != value.strip() or _has_break_or_control(value) or not value:
        raise ConfigError(
            f"{key} cannot be written to an INI file as it is (empty, edge space, line break or control character)",
            "nothing was written; check the STS endpoint you are using",
        )


def _describe(path: str) -> tuple[int, tuple[int, int] | None]:
    """(mode, owner) to give the replaced file, after checking it can be replaced at all."""
    directory = os.path.dirname(path) or "."
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a regular file", "nothing was written")
        if not info.st_mode & stat.S_IWUSR:
            raise ConfigError(f"{path} is read-only", f"make it writable (chmod u+w {path}) or choose another file")
        if info.st_uid != os.geteuid() and os.geteuid() != 0:
            raise ConfigError(f"{path} belongs to another user", "run as that user; its owner would change")
    existing = directory
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing) or "."
    if not os.access(existing, os.W_OK | os.X_OK) or _read_only_fs(existing):
        raise ConfigError(
            f"cannot write in {existing}: permission denied or read-only file system",
            f"{path} is replaced as a whole, so its directory must be writable",
        )
    if info is None:
        return 0o600, None
    owner = (info.st_uid, info.st_gid) if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()) else None
    return stat.S_IMODE(info.st_mode), owner


def _read_only_fs(directory: str) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


class ProfileWriter:
    def __init__(
        self, settings: Settings, name: str, files: AwsFiles, environ: Mapping[str, str], reporter: Reporter
    ) -> None:
        check_name(name)
        self.name = name
        self.environ = environ
        self.reporter = reporter
        self.credentials_file = os.path.realpath(settings.credentials_file)  # edit a symlink's target
        self.config_file = os.path.realpath(settings.config_file)
        self.region = settings.region
        # Never the profiles this run reads its keys, device or roles from.
        self.protected = {settings.profile, settings.selected} | {step.origin for step in settings.roles}
        files.config_ini.ini  # noqa: B018 - both files are parsed whole, so a broken line anywhere
        files.credentials_ini.ini  # noqa: B018 - is refused before the code is spent
        self._check(files)
        _describe(self.credentials_file)
        if self.region:
            check_value("region", self.region)
            if not files.config(name).get("region"):
                _describe(self.config_file)
        self.stored_expiry = self._expiry(files.credentials_ini.ini)

    def _check(self, files: AwsFiles) -> None:
        name = self.name
        if name in self.protected:
            raise ConfigError(
                f"refusing to write the session into [{name}]: mfa-export reads that profile's "
                "settings or keys to make the session",
                f"choose another name, e.g. --write-profile {name}-mfa",
            )
        own = files.credentials_ini.ini.sections.get(name)
        own_keys = set(own.options) if own else set()
        if "aws_access_key_id" in own_keys and "aws_session_token" not in own_keys:
            where = f"{name}] in {self.credentials_file}"
            raise ConfigError(
                f"refusing to overwrite [{where}: it holds long-term access keys",
                f"choose another name, e.g. --write-profile {name}-mfa",
            )
        profile = files.config(name)
        if profile.get("aws_access_key_id") and not profile.get("aws_session_token"):
            raise ConfigError(
                f"refusing to write [{name}]: profile {name} in {self.config_file} holds long-term "
                "access keys, which the session would hide",
                f"choose another name, e.g. --write-profile {name}-mfa",
            )
        for keys, effect in (
            (_OVERRIDING, "so AWS tools would not use the written session"),
            (_HIDDEN, "which the written session would hide"),
        ):
            found = [key for key in keys if profile.get(key)]
            if found:
                raise ConfigError(
                    f"refusing to write [{name}]: profile {name} in {self.config_file} sets {found[0]}, {effect}",
                    f"choose another name, e.g. --write-profile {name}-mfa",
                )

    def _expiry(self, credentials: IniText) -> float | None:
        values = credentials.values(self.name) or {}
        try:
            return parse_utc(values[EXPIRY_KEY]) if values.get(EXPIRY_KEY) else None
        except ValueError:
            return None

    def fresh_until(self, min_ttl: float) -> tuple[float, float] | None:
        """(expiry, seconds left) of a session already in [NAME] with more than ``min_ttl`` left, else None."""
        if self.stored_expiry is None:
            return None
        left = self.stored_expiry - time.time()
        return (self.stored_expiry, left) if left > min_ttl else None

    def write(self, credentials: Credentials) -> list[str]:
        """Write the session (and a missing region); returns what was written, for the summary."""
        values = {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            "aws_session_token": credentials.session_token,
            EXPIRY_KEY: format_utc(credentials.expiration),
        }
        for key, value in values.items():
            check_value(key, value)
        self._edit(self.credentials_file, self.name, None, values, recheck=True)
        written = [f"the session to [{self.name}] in {self.credentials_file}"]
        if self.region:
            header = "[default]" if self.name == "default" else f"[profile {_quoted(self.name)}]"
            if self._edit(self.config_file, None, header, {"region": self.region}, only_missing=True):
                written.append(f"region = {self.region} to {header} in {self.config_file}")
        return written

    def _edit(
        self,
        path: str,
        section: str | None,
        header: str | None,
        values: dict[str, str],
        recheck: bool = False,
        only_missing: bool = False,
    ) -> bool:
        """Change ``values`` in one section of ``path`` under its lock; False when nothing had to change."""

        def change(ini: IniText) -> str | None:
            if recheck:
                self._check(awsconfig.AwsFiles(self.environ))  # [NAME] may have been given long-term keys meanwhile
            target = section
            if target is None:  # the config file: the section botocore reads for the profile
                target = awsconfig.profile_sections(ini).get(self.name) or (header or "")[1:-1]
                if only_missing and (ini.values(target) or {}).get("region"):
                    return None  # never change a region the user chose
            text = ini.with_values(target, values, header)
            check_edit(ini, text, path, target, values)
            return text

        return locked_edit(
            path,
            self.environ,
            self.reporter.notice,
            change,
            "the session is cached: fix that, then run again without a code",
        )


def locked_edit(
    path: str,
    environ: Mapping[str, str],
    notice: Callable[[str], None],
    change: Callable[[IniText], str | None],
    hint: str | None = None,
) -> bool:
    """Replace ``path`` with ``change(its parsed text)`` under the file's lock, read again under it
    (another process may have changed it since this run started), keeping the file's mode and owner;
    False when ``change`` returns None (nothing to do). ``change`` checks what it needs of the file as
    it is now, and raises to leave it alone. ``hint``: what to do when the write itself fails."""
    from mfa_export.lock import FileEditLock, lock_timeout, unusable_lock

    make_private_dirs(os.path.dirname(path))
    lock = FileEditLock(path, lock_timeout(environ), notice)
    problem = unusable_lock(lock.path)
    if problem:
        raise ConfigError(f"cannot lock {path}: {lock.path} {problem}", "remove it, then run again")
    with lock:
        remove_stale_temps(os.path.dirname(path), for_file=path)  # under the lock: none is in use
        text = change(awsconfig.read_ini(path))
        if text is None:
            return False
        mode, owner = _describe(path)
        try:
            replace_file(path, text.encode("utf-8"), mode, owner)
        except OSError as exc:
            raise ConfigError(f"could not write {path}: {exc.strerror or exc}; it is unchanged", hint) from None
    return True


def check_edit(
    before: IniText, text: str, path: str, section: str, values: dict[str, str], removed: frozenset[str] = frozenset()
) -> None:
    """``text`` must read, as botocore reads it, as ``before`` with ``values`` set and the keys
    ``removed`` gone from ``section``, and nothing else changed ([DEFAULT] included); else a ConfigError."""
    defaults = {k: o.value for k, o in before.default_options.items()}
    expected = {name: before.values(name) or {} for name in before.sections}
    merged = {**expected.get(section, defaults), **values}
    expected[section] = {k: v for k, v in merged.items() if k not in removed}
    expected[DEFAULT_SECTION] = defaults
    after = awsconfig.parse(path, text)
    actual = {name: after.values(name) or {} for name in after.sections}
    actual[DEFAULT_SECTION] = {k: o.value for k, o in after.default_options.items()}
    if actual != expected:
        raise ConfigError(
            f"refusing to write {path}: the edit would change more than [{section}]",
            "nothing was written; please report this with the file's layout (not its keys)",
        )


def _quoted(name: str) -> str:
    """The name as botocore's shlex.split of "profile NAME" gives it back (NAME holds no quotes)."""
    return f'"{name}"' if " " in name else name
