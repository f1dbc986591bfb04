"""Command line: parse, orchestrate, map failures to exit codes. stdout is written once, at the end."""

from __future__ import annotations

import os
import sys

from mfa_export import __version__
from mfa_export.errors import EXIT_OK, Interrupted, MfaExportError, OutputError, UsageError
from mfa_export.options import FORMATS, build_parser

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import FrameType
    from typing import Any, NoReturn, TextIO

    from mfa_export.awsconfig import AwsFiles
    from mfa_export.credentials import Credentials
    from mfa_export.exports import Plan
    from mfa_export.redact import RedactingFilter
    from mfa_export.session import Session
    from mfa_export.settings import Settings
    from mfa_export.shells.base import Shell
    from mfa_export.summary import Stream
    from mfa_export.writeprofile import ProfileWriter


KEPT_NAMES = "profiles.names"
KEEP_NAMES_FROM = 200  # profiles: below this, reading the files is as quick as reading kept names


def _profile_names(environ: Mapping[str, str]) -> list[str]:
    """The profiles completion offers, at every TAB: kept (kept.py) when there are many."""
    from mfa_export import kept
    from mfa_export.awsconfig import AwsFiles
    from mfa_export.cache import SessionCache, cache_dir

    files = AwsFiles(environ)
    cache = SessionCache(cache_dir(environ), lambda message: None)  # completion never prints
    stamp = kept.stamp(environ, [files.config_file, files.credentials_file])
    found = kept.read(cache, KEPT_NAMES, stamp)
    if found is not None:
        return found[1].split("\n") if found[1] else []
    names = files.profile_names()
    if len(names) >= KEEP_NAMES_FROM:
        kept.write(cache, KEPT_NAMES, {"stamp": stamp}, "\n".join(names))
    return names


class Run:
    """One invocation, with its streams and environment passed in (a seam for tests)."""

    def __init__(self, environ: Mapping[str, str], stdin: TextIO, stdout: TextIO, stderr: Stream) -> None:
        self.environ = environ
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.args: Any = None  # argparse's Namespace once parsed (its attributes are untyped anyway)
        self.shell: Shell | None = None
        self.redactor: RedactingFilter | None = None
        from mfa_export.summary import Reporter

        self.reporter = Reporter.for_stream(stderr, environ)  # replaced once -q is known
        self.command: list[str] | None = None
        self.wrapped: Shell | None = None  # the shell whose `mfa` wrapper called us (--wrapped)
        self.exit_code = EXIT_OK
        self.argv: list[str] = []

    def execute(self, argv: list[str]) -> str:
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
        argv, self.command = _split_command(argv)
        if argv == ["--version"]:  # what argparse's version action prints, without building the parser
            return f"mfa-export {__version__}\n"
        if argv in (["--help"], ["-h"]):  # argparse's help, written without argparse where that is verified
            from mfa_export.helptext import render

            text = render()
            if text is not None:
                return text
        if argv == ["--status"]:  # run by prompts, at every command: nothing else to read
            from mfa_export.status import session_status

            text, self.exit_code = session_status(self.environ)
            return text
        from mfa_export.argv import quick_parse

        self.args = quick_parse(argv) or build_parser().parse_args(argv)
        self.reporter = Reporter.for_stream(self.stderr, self.environ, quiet=self.args.quiet, command=typed)
        if self.args.debug:
            from mfa_export.redact import enable_debug_logging

            self.redactor = enable_debug_logging(self.stderr)
        if self.args.init:
            from mfa_export.init import init_script

            return init_script(self.args.init, self.args.cmd)
        if self.args.status:
            from mfa_export.status import session_status

            text, self.exit_code = session_status(self.environ)
            return text
        if self.args.complete:
            return self._complete()
        if self.args.clear_cache:
            return self._clear_cache()
        if self.args.list_profiles:
            return self._list_profiles()
        if self.args.add or self.args.remove or self.args.rotate:
            return self._keys()
        exclusive = [
            flag
            for flag, on in (
                ("--unset", self.args.unset),
                ("-- COMMAND", self.command),
                ("--write-profile", self.args.write_profile is not None),
            )
            if on
        ]
        if len(exclusive) > 1:
            raise UsageError(f"{' and '.join(exclusive)} do not go together")
        # Chosen before anything is spent: a bad --shell must not burn an MFA code.
        if self.args.format == "github" and not self.command and self.args.write_profile is None:
            from mfa_export.formats import github_env_path

            github_env_path(self.environ)
        if self.args.format == "shell" and not self.command and self.args.write_profile is None:
            from mfa_export.detect import choose_shell

            self.shell = choose_shell(self.args.shell, self.environ)
        if self.args.unset:
            return self._unset()
        return self._export()

    def _unset(self) -> str:
        from mfa_export.exports import unset_plan

        if self.shell is None:
            raise UsageError("--unset writes shell code", "drop --format, or use --format shell")
        return self._render(None, unset_plan())

    def _clear_cache(self) -> str:
        from mfa_export.cache import SessionCache, cache_dir

        cache = SessionCache(cache_dir(self.environ), self.reporter.warning)
        keys = []
        if self.args.profile:
            # Every entry the profile would use (its MFA session, its roles, shared ones too), found
            # from its settings; entries written for it by name go as well.
            from mfa_export import settings as settings_module
            from mfa_export.session import every_cache_key

            try:
                keys = every_cache_key(settings_module.resolve(self.args, self.environ))
            except MfaExportError as exc:
                self.reporter.warning(f"removing only entries written for {self.args.profile}: {exc.message}")
        removed = cache.clear(profile=self.args.profile, keys=keys)
        whose = f" of profile {self.args.profile}" if self.args.profile else ""
        self.reporter.notice(
            f"removed {removed} cached session{'s' if removed != 1 else ''}{whose} from {cache.directory}"
        )
        return ""

    def _complete(self) -> str:
        """Candidates for the shell completions in shell/completions, one a line."""
        if self.args.complete == "profiles":
            words: Sequence[str] = _profile_names(self.environ)
        elif self.args.complete == "shells":
            from mfa_export.shells import SHELL_NAMES

            words = SHELL_NAMES
        elif self.args.complete == "init-shells":  # --init has no wrapper for cmd
            from mfa_export.init import INIT_SHELLS

            words = INIT_SHELLS
        else:
            words = FORMATS
        return "".join(f"{word}\n" for word in words)

    def _keys(self) -> str:
        from mfa_export import keycommands

        given = [flag for flag in ("add", "remove", "rotate") if getattr(self.args, flag)]
        if len(given) > 1:
            raise UsageError(" and ".join(f"--{flag}" for flag in given) + " do not go together")
        if self.args.add:
            keycommands.add(self.args.add, self.environ, self.reporter)
        elif self.args.remove:
            keycommands.remove(self.args.remove, self.environ, self.reporter, self.args.yes)
        else:
            self._rotate(self.args.rotate)
        return ""

    def _rotate(self, profile: str) -> None:
        from mfa_export import codes, inputs, keycommands
        from mfa_export import settings as settings_module
        from mfa_export.session import SessionSource

        self.args.profile = profile
        settings = settings_module.resolve(self.args, self.environ)
        if settings.roles or settings.profile != profile:
            raise UsageError(
                f"--rotate {profile}: that profile assumes a role", "name the profile that holds the access keys"
            )
        session = SessionSource(
            settings,
            self.environ,
            self.reporter,
            code=codes.code_from_argument(self.args.code, self.stdin),
            use_cache=not self.args.no_cache,
            force=False,
            force_mfa=self.args.force_mfa,
            requested_duration=None,
            min_ttl=inputs.parse_span(self.args.min_ttl, "--min-ttl"),
            code_command=self.args.code_command,
        ).get()
        keycommands.rotate(profile, self.environ, self.reporter, session, settings)

    def _list_profiles(self) -> str:
        from mfa_export import profiles
        from mfa_export.cache import SessionCache, cache_dir
        from mfa_export.summary import RICH_TABLE_ROWS

        if self.args.format not in ("shell", "json"):
            raise UsageError("--list-profiles prints a table or, with --format json, JSON")
        cache = SessionCache(cache_dir(self.environ), self.reporter.warning)
        plain_from = -1 if self.reporter.plain else RICH_TABLE_ROWS  # up to that many: rich's table, on a terminal
        kept = profiles.plain_listing(self.environ, cache, plain_from) if self.args.format == "shell" else None
        if kept is not None:
            table, both = kept
            for name in both:
                self._both_warning(name)
            self.reporter.table(table)
            return ""
        rows = profiles.describe_profiles(self.environ, cache)
        for row in rows:
            if row["keys"] == "both":
                self._both_warning(str(row["name"]))
        if self.args.format == "json":
            import json

            return json.dumps(rows, indent=2) + "\n"
        self.reporter.profiles(rows)
        return ""

    def _both_warning(self, name: str) -> None:
        self.reporter.warning(
            f"profile {name} has keys in a file and in the OS keyring; AWS tools and mfa-export "
            f"use the file's (remove one: mfa-export --remove {name}, or edit the file)"
        )

    def _export(self) -> str:
        from mfa_export import codes, inputs
        from mfa_export import settings as settings_module
        from mfa_export.awsconfig import AwsFiles
        from mfa_export.session import SessionSource

        code = codes.code_from_argument(self.args.code, self.stdin)
        min_ttl = inputs.parse_span(self.args.min_ttl, "--min-ttl")
        files = AwsFiles(self.environ)
        settings = settings_module.resolve(self.args, self.environ, files)
        writer = None
        if self.args.write_profile is not None:
            writer = self._profile_writer(settings, files, min_ttl)
            if writer is None:
                return ""
        session = SessionSource(
            settings,
            self.environ,
            self.reporter,
            code=code,
            use_cache=not self.args.no_cache,
            force=self.args.force,
            force_mfa=self.args.force_mfa,
            requested_duration=settings.duration if self.args.duration else None,
            min_ttl=min_ttl,
            code_command=self.args.code_command,
        ).get()
        from mfa_export.exports import export_plan

        plan = export_plan(session.credentials, settings.region, settings.selected)
        if self.command:
            return self._exec(plan, session, settings)
        if writer is not None:
            written = writer.write(session.credentials)
            self._report(session, settings)
            name = self.args.write_profile
            self.reporter.notice(f"wrote {' and '.join(written)}; use it with --profile {name} or AWS_PROFILE={name}")
            return ""
        if self.shell is not None and self.wrapped is None and _isatty(self.stdout):
            # Nobody can eval a terminal: show what would be set, never the secrets themselves (the
            # session is cached, so the eval in the hint needs no new code).
            from mfa_export.exports import SECRET_VARIABLES

            plan = [(name, "****" if value and name in SECRET_VARIABLES else value) for name, value in plan]
        output = self._render(session.credentials, plan)
        self._report(session, settings)
        return output

    def _profile_writer(self, settings: Settings, files: AwsFiles, min_ttl: float) -> ProfileWriter | None:
        """The --write-profile target, checked before a code is spent; None when it holds a good session."""
        from mfa_export.writeprofile import ProfileWriter

        writer = ProfileWriter(settings, self.args.write_profile, files, self.environ, self.reporter)
        fresh = None if (self.args.force or self.args.force_mfa) else writer.fresh_until(min_ttl)
        if fresh is None:
            return writer
        from mfa_export.summary import local_time, relative

        expiry, left = fresh
        self.reporter.notice(
            f"[{self.args.write_profile}] in {writer.credentials_file} holds a session until "
            f"{local_time(expiry)} ({relative(left)}); nothing written (--force replaces it)"
        )
        return None

    def _report(self, session: Session, settings: Settings) -> None:
        self.reporter.session(
            session.credentials,
            session.serial,
            settings.selected,
            settings.region,
            cached=session.cached,
            identity=session.identity,
            renewable_until=session.renewable_until,
        )

    def _render(self, credentials: Credentials | None, plan: Plan) -> str:
        if self.wrapped is not None and self.shell is not None:
            return self.shell.render_wrapped(plan)
        if self.shell is not None:
            return self.shell.render(plan)
        from mfa_export import formats

        if self.args.format == "dotenv":
            return formats.dotenv(plan)
        if self.args.format == "github":
            return formats.github(plan, self.environ)
        assert credentials is not None  # json is only rendered for an export
        return formats.credential_process_json(credentials)

    def _exec(self, plan: Plan, session: Session, settings: Settings) -> NoReturn:
        from mfa_export import execmode

        assert self.command is not None
        env = execmode.environment_with(self.environ, plan)
        path = execmode.resolve_command(self.command, env)
        self._report(session, settings)
        execmode.exec_command(path, self.command, env)  # does not return

    def fail_output(self, status: int) -> str:
        if self.args is not None and (self.args.status or self.args.complete):
            return ""  # read by prompts and completion, never eval'ed
        if self.args is None and {"--status", "--complete"} & set(self.argv):
            return ""
        if self.wrapped is not None:
            return self.wrapped.wrapped_fail(status)
        if self.command or (
            self.args is not None
            and (
                self.args.format != "shell"
                or self.args.write_profile is not None
                or self.args.list_profiles
                or self.args.clear_cache
                or self.args.init
                or self.args.complete
            )
        ):
            return ""
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


def _isatty(stream: TextIO) -> bool:
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
        return _isatty(self._stream)

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
    try:
        import _signal as signal  # type: ignore[import-not-found]  # signal.py builds enums: ~2 ms a run
    except ImportError:  # pragma: no cover - CPython always has it
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
    if run.shell is not None and output and _isatty(stdout) and not run.args.unset:
        run.reporter.eval_hint(run.shell)
    return run.exit_code


def _fail(run: Run, exc: BaseException, code: int, message: str | None) -> int:
    from mfa_export.summary import Reporter

    if run.args is not None and run.args.debug:
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
