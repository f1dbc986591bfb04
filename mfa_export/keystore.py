"""Long-term keys in the OS keyring (the `keyring` library: Secret Service on Linux, Keychain on
macOS, Credential Manager on Windows), one item per profile, and the index of which profiles have one.

The item (service "mfa-export", user PROFILE) holds {"aws_access_key_id", "aws_secret_access_key"}
as JSON. The index ($XDG_DATA_HOME/mfa-export/keyring-profiles.json, 0600) holds only names and key
ids: what a cached run needs to key its cache, and what --list-profiles shows, without touching the
keyring. The keyring itself is opened only on a cache miss of such a profile and by --add, --remove
and --rotate; `keyring` is imported only then.

No usable backend means an error (exit 3) naming what to install or configure, never a plaintext
fallback: keyring's "fail" and "null" backends and keyrings.alt's PlaintextKeyring are refused, even
when configured; any other backend keyring's configuration chooses is used.
"""

from __future__ import annotations

import json
import os

from mfa_export.errors import ConfigError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

SERVICE = "mfa-export"
KEY_ID = "aws_access_key_id"
SECRET = "aws_secret_access_key"
_NO_BACKEND_ADVICE = (
    "install and unlock a Secret Service (e.g. gnome-keyring or KeePassXC) on Linux, or choose a backend "
    "in keyring's configuration (python -m keyring --list-backends); mfa-export never stores keys in plain text"
)


def index_path(environ: Mapping[str, str]) -> str:
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "mfa-export", "keyring-profiles.json")


def read_index(environ: Mapping[str, str]) -> dict[str, str]:
    """{profile: access key id} of the profiles whose keys are in the keyring; {} when none or unreadable."""
    try:
        fd = os.open(index_path(environ), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return {}
    try:
        with os.fdopen(fd, "rb") as handle:
            data = json.loads(handle.read(1 << 20).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        return {}
    return {name: key for name, key in profiles.items() if isinstance(name, str) and isinstance(key, str)}


def write_index(environ: Mapping[str, str], profiles: dict[str, str]) -> None:
    from mfa_export.atomic import make_private_dirs, write_private

    path = index_path(environ)
    make_private_dirs(os.path.dirname(path))
    data = {"profiles": dict(sorted(profiles.items()))}
    write_private(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))


def update_index(environ: Mapping[str, str], profile: str, key_id: str | None, notice: Callable[[str], None]) -> None:
    """Set (or with None remove) ``profile``'s key id in the index, under a lock (read, change, replace)."""
    from mfa_export.atomic import make_private_dirs
    from mfa_export.lock import FileEditLock, lock_timeout

    path = index_path(environ)
    make_private_dirs(os.path.dirname(path))
    with FileEditLock(path, lock_timeout(environ), notice):
        profiles = read_index(environ)
        if key_id is None:
            profiles.pop(profile, None)
        else:
            profiles[profile] = key_id
        write_index(environ, profiles)


class Keyring:
    """The usable backend, or a ConfigError (exit 3) saying why there is none."""

    def __init__(self) -> None:
        try:
            import keyring
            import keyring.errors
        except ImportError:
            raise ConfigError("the keyring library is not installed", "reinstall mfa-export") from None
        self._keyring = keyring
        self._errors = keyring.errors
        backend = keyring.get_keyring()
        self.name = f"{type(backend).__module__}.{type(backend).__name__}"
        refused = (
            "keyring.backends.fail",
            "keyring.backends.null",
            "keyrings.alt.file.PlaintextKeyring",
        )
        if self.name.startswith(refused) or (
            self.name.startswith("keyring.backends.chainer") and not getattr(backend, "backends", None)
        ):
            raise ConfigError(f"no usable OS keyring (keyring chose {self.name})", _NO_BACKEND_ADVICE)

    def _call(self, what: str, function: Any, *args: str) -> Any:
        try:
            return function(SERVICE, *args)
        except self._errors.KeyringLocked:
            raise ConfigError(
                f"cannot {what}: the keyring is locked",
                "unlock it (log in to the desktop session, or: gnome-keyring-daemon --unlock)",
            ) from None
        except self._errors.PasswordDeleteError:
            raise
        except (self._errors.KeyringError, RuntimeError, OSError) as exc:
            # InitError ("Prompt dismissed") for a locked collection that cannot be unlocked here,
            # NoKeyringError, and the D-Bus errors under them.
            raise ConfigError(f"cannot {what}: {exc or type(exc).__name__}", _NO_BACKEND_ADVICE) from None

    def get(self, profile: str) -> tuple[str, str] | None:
        raw = self._call(f"read the keys of {profile} from the keyring", self._keyring.get_password, profile)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            key_id, secret = data[KEY_ID], data[SECRET]
        except (ValueError, KeyError, TypeError, RecursionError):
            raise ConfigError(
                f"the keyring item of {profile} (service {SERVICE}) is not one mfa-export wrote",
                f"store the keys again: mfa-export --remove {profile}, then mfa-export --add {profile}",
            ) from None
        if not (isinstance(key_id, str) and isinstance(secret, str) and key_id and secret):
            raise ConfigError(f"the keyring item of {profile} holds no keys", f"mfa-export --add {profile}")
        return key_id, secret

    def set(self, profile: str, key_id: str, secret: str) -> None:
        value = json.dumps({KEY_ID: key_id, SECRET: secret})
        self._call(f"store the keys of {profile} in the keyring", self._keyring.set_password, profile, value)
        if self.get(profile) != (key_id, secret):
            raise ConfigError(
                f"the keyring did not give back the keys of {profile} just stored",
                "nothing was removed from your files; check the keyring backend",
            )

    def delete(self, profile: str) -> bool:
        try:
            self._call(f"remove the keys of {profile} from the keyring", self._keyring.delete_password, profile)
        except self._errors.PasswordDeleteError:
            return False
        return True
