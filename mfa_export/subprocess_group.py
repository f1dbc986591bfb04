"""Run a code command as its own process group, in the terminal's foreground when there is one.

Its own group, so that a timeout can kill everything it started (`sh -c` may leave a hung child
behind); the terminal's foreground, so that it can still prompt on the terminal and Ctrl-C reaches
it, as a shell does for the jobs it runs.
"""

import os
import signal
import subprocess


class GroupTimeout(Exception):
    pass


def _set_foreground(fd, pgid):
    # Called from a background group, tcsetpgrp raises SIGTTOU: ignore it for the call, as shells do.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, pgid)
    finally:
        signal.signal(signal.SIGTTOU, previous)


class ForegroundGroup:
    def __init__(self, command, environ, tty_path):
        self.command = command
        self.environ = dict(environ)
        self.tty_path = tty_path
        self.tty = None
        self.foreground = None  # the group to give the terminal back to

    def __enter__(self):
        try:
            self.tty = open(self.tty_path, "rb")
            if os.tcgetpgrp(self.tty.fileno()) == os.getpgrp():
                self.foreground = os.getpgrp()
        except OSError:
            self.tty = None
        return self

    def _child_setup(self):
        os.setpgrp()
        if self.foreground is not None:
            _set_foreground(0, os.getpgrp())

    def run(self, timeout):
        """(stdout bytes, exit status); raises KeyboardInterrupt if Ctrl-C ended the command."""
        proc = subprocess.Popen(self.command, shell=True, stdin=self.tty or subprocess.DEVNULL,
                                stdout=subprocess.PIPE, env=self.environ, preexec_fn=self._child_setup)
        if self.foreground is not None:
            try:
                _set_foreground(self.tty.fileno(), proc.pid)  # also here: whichever side runs first wins
            except OSError:
                pass
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            raise GroupTimeout() from None
        except BaseException:
            self._kill(proc)
            raise
        if proc.returncode == -signal.SIGINT:
            raise KeyboardInterrupt
        return out, proc.returncode

    @staticmethod
    def _kill(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        if proc.stdout:
            proc.stdout.close()

    def __exit__(self, *exc):
        if self.foreground is not None:
            try:
                _set_foreground(self.tty.fileno(), self.foreground)
            except OSError:
                pass
        if self.tty is not None:
            self.tty.close()
        return False
