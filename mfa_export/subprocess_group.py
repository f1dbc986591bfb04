"""Run a code command as its own process group, in the terminal's foreground when there is one.

Its own group, so that a timeout can kill everything it started (`sh -c` may leave a hung child
behind); the terminal's foreground, so that it can still prompt on the terminal and Ctrl-C reaches
it, as a shell does for the jobs it runs.
"""

from __future__ import annotations

import os
import signal
import subprocess

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import BinaryIO, Literal


class GroupTimeout(Exception):
    pass


class TooMuchOutput(Exception):
    pass


def _set_foreground(fd: int, pgid: int) -> None:
    # Called from a background group, tcsetpgrp raises SIGTTOU: ignore it for the call, as shells do.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, pgid)
    finally:
        signal.signal(signal.SIGTTOU, previous)


class ForegroundGroup:
    def __init__(self, command: str, environ: Mapping[str, str], tty_path: str) -> None:
        self.command = command
        self.environ = dict(environ)
        self.tty_path = tty_path
        self.tty: BinaryIO | None = None
        self.foreground: int | None = None  # the group to give the terminal back to

    def __enter__(self) -> ForegroundGroup:
        try:
            self.tty = open(self.tty_path, "rb")
            if os.tcgetpgrp(self.tty.fileno()) == os.getpgrp():
                self.foreground = os.getpgrp()
        except OSError:
            self.tty = None
        return self

    def _child_setup(self) -> None:
        os.setpgrp()
        if self.foreground is not None:
            _set_foreground(0, os.getpgrp())

    def run(self, timeout: float, limit: int) -> tuple[bytes, int]:
        """(stdout bytes, exit status); raises KeyboardInterrupt if Ctrl-C ended the command.

        At most ``limit`` bytes are read. Reading stops when the command exits, not at end of file:
        a child it left running in the background may hold its stdout open for ever.
        """
        proc = subprocess.Popen(
            self.command,
            shell=True,
            stdin=self.tty or subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=self.environ,
            preexec_fn=self._child_setup,
        )
        if self.foreground is not None and self.tty is not None:
            try:
                _set_foreground(self.tty.fileno(), proc.pid)  # also here: whichever side runs first wins
            except OSError:
                pass
        try:
            out = self._read(proc, timeout, limit)
        except BaseException:
            self._kill(proc)
            raise
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.returncode == -signal.SIGINT:
            raise KeyboardInterrupt
        return out, proc.returncode

    @staticmethod
    def _read(proc: subprocess.Popen[bytes], timeout: float, limit: int) -> bytes:
        import select
        import time

        deadline = time.monotonic() + timeout
        assert proc.stdout is not None  # Popen(stdout=PIPE)
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        chunks: list[bytes] = []
        size, open_ = 0, True
        while True:
            exited = proc.poll() is not None
            left = deadline - time.monotonic()
            if left <= 0 and not exited:
                raise GroupTimeout()
            if open_:
                ready, _, _ = select.select([fd], [], [], 0 if exited else min(left, 0.05))
                if ready:
                    data = os.read(fd, 65536)
                    if data:
                        chunks.append(data)
                        size += len(data)
                        if size > limit:
                            raise TooMuchOutput()
                        continue
                    open_ = False  # end of file
            elif not exited:
                time.sleep(min(left, 0.05))
            if exited:
                return b"".join(chunks)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        if proc.stdout:
            proc.stdout.close()

    def __exit__(self, *exc: object) -> Literal[False]:
        if self.foreground is not None and self.tty is not None:
            try:
                _set_foreground(self.tty.fileno(), self.foreground)
            except OSError:
                pass
        if self.tty is not None:
            self.tty.close()
        return False
