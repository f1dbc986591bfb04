"""Write a private file atomically: a 0600 temp file beside it (created 0600, never chmod'ed after the
secret is in it), fsync'ed, then renamed over the target; on any failure the temp file is removed."""

import os


def write_private(path, data):
    temp = f"{path}.mfa-export-{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
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
