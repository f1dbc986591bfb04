"""What a run found in large AWS files, kept beside the cached sessions for the next run.

With thousands of profiles, listing them (--list-profiles) or naming them (completion, at every
TAB) costs far more than reading back what an earlier run found. That depends only on the AWS files,
the keyring index, the AWS_/MFA_EXPORT_ environment and this version, so a kept file starts with a
stamp of them (each file's device, inode, size, mtime and ctime). It is used only while the stamp
matches, and only if it is a regular file of this user that no one else can read or write; anything
else, and it is made anew. It holds no secret.

A kept file is a head (JSON, one line: the stamp and what its user adds) and a body (text).
"""

from __future__ import annotations

import os
import stat

from mfa_export import jsonlite

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from mfa_export.cache import SessionCache

# Variables that select one profile; a listing asks for each profile by name, so they do not count.
SELECTING = ("AWS_PROFILE", "MFA_EXPORT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def stamp(environ: Mapping[str, str], paths: list[str]) -> list[object]:
    from mfa_export import __version__

    stats: list[object] = []
    for path in paths:
        try:
            info = os.stat(path)
            stats.append([path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns])
        except OSError:
            stats.append([path, None])
    settings_env = sorted(
        [k, v] for k, v in environ.items() if k.startswith(("AWS_", "MFA_EXPORT_")) and k not in SELECTING
    )
    return [__version__, stats, settings_env]


def read(cache: SessionCache | None, name: str, expected: list[object]) -> tuple[dict[str, Any], str] | None:
    """(head, body) of the kept file ``name`` when it is trustworthy and its stamp is ``expected``."""
    if cache is None:
        return None
    try:
        fd = os.open(os.path.join(cache.directory, name), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            return None  # not ours, or not private: never trusted
        try:
            head_text, _, body = handle.read().decode("utf-8").partition("\n")
            head = jsonlite.loads(head_text)
        except ValueError:
            return None
    if not isinstance(head, dict) or head.get("stamp") != expected:
        return None
    return head, body


def write(cache: SessionCache | None, name: str, head: dict[str, object], body: str) -> None:
    """Keep ``body`` under ``head`` (which holds the stamp), atomically and 0600; a failure only
    means the next run does the work again."""
    if cache is None:
        return
    import json

    from mfa_export.atomic import write_private
    from mfa_export.cache import UnusableCache

    try:
        cache.ensure_directory()
        write_private(
            os.path.join(cache.directory, name), (json.dumps(head, separators=(",", ":")) + "\n" + body).encode()
        )
    except (OSError, UnusableCache):
        pass
