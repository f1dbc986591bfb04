"""Replace a file atomically: a temp file beside it, created 0600 (and given the old file's mode and
owner before any data is in it), fsync'ed, then renamed over the target, and the directory fsync'ed.
On any failure (a full disk, a size limit, a signal) the temp file is removed and the old file stays
whole: a reader sees the old bytes or the new ones, never a mix."""

from __future__ import annotations

import os

TEMP_MARK = ".mfa-export-"
TEMP_SUFFIX = ".tmp"


def temp_path(path: str) -> str:
    return f"{path}{TEMP_MARK}{os.getpid()}{TEMP_SUFFIX}"


def _temp_parts(name: str) -> tuple[str, int] | None:
    """(the file's name, the writer's pid) for a temp file's name, else None."""
    if not name.endswith(TEMP_SUFFIX) or TEMP_MARK not in name:
        return None
    target, _, pid = name[: -len(TEMP_SUFFIX)].rpartition(TEMP_MARK)
    return (target, int(pid)) if pid.isascii() and pid.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: not ours to judge
    return True


def remove_stale_temps(directory: str, for_file: str | None = None, names: list[str] | None = None) -> None:
    """Remove temp files that killed runs left in ``directory`` (they may hold secrets).

    Without ``for_file``: those of processes that are gone. With it: every temp file of that file,
    which is safe only while holding the file's lock (no other run can be writing one then).
    """
    try:
        names = os.listdir(directory) if names is None else names
    except OSError:
        return
    target = os.path.basename(for_file) if for_file is not None else None
    for name in names:
        parts = _temp_parts(name)
        if parts is None or (target is not None and parts[0] != target):
            continue
        if target is None and _alive(parts[1]):
            continue
        try:
            os.unlink(os.path.join(directory, name))
        except OSError:
            pass


def make_private_dirs(directory: str) -> None:
    """Create ``directory`` and any missing parents 0700, whatever the umask (os.makedirs gives the
    parents the umask's default, 0777 under umask 000)."""
    missing = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask; a fresh, empty directory


def write_private(path: str, data: bytes) -> None:
    """A new private file (0600) at ``path``, whatever was there."""
    replace_file(path, data)


def replace_file(path: str, data: bytes, mode: int = 0o600, owner: tuple[int, int] | None = None) -> None:
    """Replace ``path`` with ``data``; ``mode`` and ``owner`` ((uid, gid) or None) are the new file's."""
    temp = temp_path(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            if owner is not None:
                os.fchown(handle.fileno(), *owner)
            if mode != 0o600:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _sync_directory(os.path.dirname(path) or ".")


def _sync_directory(directory: str) -> None:
    # The rename is durable only once the directory is on disk; not every file system allows this.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
