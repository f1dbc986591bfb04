"""Command line: read it, run the mode it asks for (modes.py), map failures to exit codes. stdout is
written once, at the end."""

from __future__ import annotations

import os
import sys

from mfa_export.errors import EXIT_OK, Interrupted, MfaExportError, OutputError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import FrameType
    from typing import Any, TextIO

    from mfa_export.modes import Mode
    from mfa_export.redact import RedactingFilter
    from mfa_export.request import Request
    from mfa_export.shells.base import Shell
    from mfa_export.summary import Stream


class Run:
    """One invocation, with its streams and environment passed in (a seam for tests); what every mode's
    handler (modes.py) is given."""

    def __init__(self, environ: Mapping[str, str], stdin: TextIO, stdout: TextIO, stderr: Stream) -> None:
        self.environ = environ
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.request: Request | None = None  # the command line, once read
        self.mode: Mode | None = None  # what it asks for, once known
        self.shell: Shell | None = None  # the shell the output is for (exports and --unset), once chosen
        self.redactor: RedactingFilter | None = None
        from mfa_export.summary import Reporter

        self.reporter = Reporter.for_stream(stderr, environ)  # replaced once -q is known
        self.wrapped: Shell | None = None  # the shell whose `mfa` wrapper called us (--wrapped)
        self.exit_code = EXIT_OK
        self.argv: list[str] = []

    @property
    def args(self) -> Request:
        """The request, for handlers (which run only once it is read)."""
        assert self.request is not None
        return self.request

    def execute(self, argv: list[str]) -> str:
        from mfa_export import modes, request
        from mfa_export.summary import Reporter
        from mfa_export.wrapper import needs_passthrough, split_wrapped

        self.argv = argv
        wrapped, typed, argv = split_wrapped(argv)
        self.reporter.command = typed
        if wrapped is not None:
            from mfa_export.shells import get_shell

            self.wrapped = get_shell(wrapped)
            if needs_passthrough(argv):
                return self.wrapped.run_command(["mfa-export", *argv])
            argv = [*argv, "--shell", self.wrapped.name]
        argv, command = _split_command(argv)
        self.request = request.parse(argv, command)
        self.reporter = Reporter.for_stream(self.stderr, self.environ, quiet=self.request.quiet, command=typed)
        if self.request.debug:
            from mfa_export.redact import enable_debug_logging

            self.redactor = enable_debug_logging(self.stderr)
        self.mode = modes.select(self.request)
        return self.mode.run(self)

    def prints_shell_code(self) -> bool:
        """Whether stdout is (or would have been) code for the caller's shell to eval."""
        from mfa_export.modes import MODES

        request = self.request
        if request is None:  # the command line was refused: judged by its words
            words = {arg.partition("=")[0] for arg in self.argv}
            return not ({mode.flag for mode in MODES if not mode.evaled} & words or "--" in words)
        mode = self.mode
        if mode is None:  # refused as a combination: silent if any of its modes is
            quiet = [other for other in MODES if other.dest and not other.evaled and getattr(request, other.dest, None)]
            if quiet:
                return False
        elif not mode.evaled:
            return False
        from mfa_export.exporting import writes_shell_code

        return writes_shell_code(request)

    def fail_output(self, status: int) -> str:
        if not self.prints_shell_code():
            return ""
        if self.wrapped is not None:
            return self.wrapped.wrapped_fail(status)
        return (self.shell or _fallback_shell(self.environ)).fail()


def _split_command(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """argv before the first "--", and the command after it (None when there is none)."""
    if "--" in argv:
        at = argv.index("--")
        command = argv[at + 1 :]
        if not command:
            raise UsageError("nothing after --", "give a command to run, e.g. mfa-export -- aws s3 ls")
        return argv[:at], command
    return argv, None


def _fallback_shell(environ: Mapping[str, str]) -> Shell:
    """The shell to fail in when choosing one failed: $MFA_EXPORT_SHELL if usable, else POSIX `false`."""
    from mfa_export.shells import canonical_name, get_shell

    return get_shell(canonical_name(environ.get("MFA_EXPORT_SHELL", "")) or "sh")


def _write(stream: TextIO, data: bytes) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8"))
        stream.flush()


def _silence(stream: TextIO) -> None:
    """Point a dead stdout at /dev/null, so the interpreter's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


def isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal; False for a stream without one or a closed one."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _QuietStream:
    """stderr as the summary sees it: a write that fails (stderr closed, its reader gone) is dropped.

    A person who closed stderr still gets the export; what must fail closed is stdout, never this.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError, AttributeError):
            _silence(self._stream)  # or the interpreter's flush at exit fails, with status 120
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError, AttributeError):
            _silence(self._stream)

    def isatty(self) -> bool:
        return isatty(self._stream)

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _fill_standard_fds() -> None:
    """Open /dev/null on a closed fd 0, 1 or 2, so that no file this run opens becomes one of them
    (a cache entry on fd 2 would receive the next message; a code command would inherit it)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                opened = os.open(os.devnull, os.O_RDWR)
            except OSError:
                return
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the run is, so that locks and temp files are let go as for ^C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def _catch_termination() -> None:
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                signal.signal(number, _on_signal)
            except (OSError, ValueError):  # not the main thread (tests calling main())
                pass


def main(
    argv: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    if stdout is None:
        _fill_standard_fds()
        _catch_termination()
    stdout = stdout or sys.stdout
    # sys.stderr is None when the process started with fd 2 closed.
    quiet_stderr = _QuietStream(stderr or sys.stderr or open(os.devnull, "w"))  # noqa: SIM115
    run = Run(environ, stdin if stdin is not None else sys.stdin, stdout, quiet_stderr)
    try:
        try:
            try:
                output = run.execute(argv)
            except KeyboardInterrupt:
                raise Interrupted("interrupted; nothing was exported") from None
            try:
                data = output.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise OutputError(
                    f"the output would hold {exc.object[exc.start : exc.end]!r}, which is not valid "
                    "text (a value that is not UTF-8, from an argument, variable or file)",
                    "nothing was exported; fix that value",
                ) from None
        except Terminated as exc:
            code = 128 + exc.signum
            return _fail(run, Interrupted("terminated by a signal; nothing was exported"), code, None)
    except SystemExit as exc:  # argparse after --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except MfaExportError as exc:
        return _fail(run, exc, exc.exit_code, str(exc))
    except Exception as exc:  # a bug: still fail closed, and say how to see more
        return _fail(run, exc, 1, f"unexpected error: {type(exc).__name__}: {exc}; rerun with --debug and report it")
    try:
        _write(stdout, data)
    except OSError as exc:  # the reader went away (a closed pipe): nobody will apply the output
        run.reporter.error(f"cannot write to stdout ({exc.strerror or exc}); nothing was applied")
        _silence(stdout)
        return 1
    if run.shell is not None and output and isatty(stdout) and run.mode is not None and run.mode.name == "export":
        run.reporter.eval_hint(run.shell)
    return run.exit_code


def _fail(run: Run, exc: BaseException, code: int, message: str | None) -> int:
    from mfa_export.summary import Reporter

    if run.request is not None and run.request.debug:
        import traceback

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        run.stderr.write(run.redactor.redact(text) if run.redactor else text)
    reporter = getattr(run, "reporter", None) or Reporter.for_stream(run.stderr, run.environ)
    reporter.error(message or str(exc))
    try:
        _write(run.stdout, run.fail_output(code).encode("utf-8"))
    except Exception:
        pass  # nothing more we can say on stdout; the exit code still fails
    return code
