"""Command line: parse, orchestrate, map failures to exit codes. stdout is written once, at the end."""

import argparse
import os
import sys

from mfa_export import __version__
from mfa_export.errors import EXIT_OK, Interrupted, MfaExportError, UsageError

EPILOG = """\
apply the output in the calling shell:
  bash/zsh/sh/ksh   eval "$(mfa-export 123456)"
  fish              mfa-export 123456 | source
  tcsh/csh          eval "`mfa-export 123456`"
  PowerShell        mfa-export 123456 | Out-String | Invoke-Expression
  elvish            eval (mfa-export 123456 | slurp)
  xonsh             execx($(mfa-export 123456))
  nushell           mfa-export 123456 | from json | load-env

exit codes:
  0    ok
  2    usage or bad input (including: no code given and no terminal to ask)
  3    configuration: profile, MFA device or keys missing
  4    AWS refused: wrong or reused code, wrong key, wrong device
  5    network or service: unreachable, timeout, 5xx, throttled
  6    the shell or format cannot represent the output
  130  interrupted
On failure stdout holds only a statement that makes the caller's eval fail.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message, "see mfa-export --help")


def build_parser():
    parser = _Parser(
        prog="mfa-export",
        description="Turn an AWS MFA code into temporary MFA-authenticated credentials, "
        "printed as code for the calling shell to eval.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("code", nargs="?", metavar="CODE",
                        help='6-digit MFA code; "-" reads it from stdin; omitted: prompt on the terminal')
    parser.add_argument("-p", "--profile", metavar="NAME",
                        help="long-term profile (default $AWS_PROFILE, then $MFA_EXPORT_PROFILE, then default)")
    parser.add_argument("-s", "--serial-number", metavar="SN",
                        help="MFA device serial or ARN (default: profile mfa_serial, aws_arn_mfa, "
                        "$AWS_MFA_SERIAL, else iam:ListMFADevices)")
    parser.add_argument("-d", "--duration", metavar="D",
                        help="session lifetime: seconds or 15m/12h/1h30m, 900..129600 (default 12h)")
    parser.add_argument("--region", metavar="R", help="region to export (default: the profile's region)")
    parser.add_argument("--shell", metavar="NAME",
                        help="bash zsh sh dash ksh mksh ash yash fish tcsh csh pwsh powershell elvish "
                        "xonsh nu cmd (default $MFA_EXPORT_SHELL, else detected)")
    parser.add_argument("-f", "--format", default="shell", choices=("shell", "json"),
                        help="shell (default) or json (credential_process v1)")
    parser.add_argument("--unset", action="store_true", help="print code that removes everything mfa-export sets")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr (errors still show)")
    parser.add_argument("--debug", action="store_true", help="tracebacks and HTTP debug on stderr, secrets masked")
    parser.add_argument("--version", action="version", version=f"mfa-export {__version__}")
    return parser


class Run:
    """One invocation, with its streams and environment passed in (a seam for tests)."""

    def __init__(self, environ, stdin, stdout, stderr):
        self.environ = environ
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.args = None
        self.shell = None
        self.redactor = None

    def execute(self, argv):
        from mfa_export.summary import Reporter

        self.args = build_parser().parse_args(argv)
        self.reporter = Reporter.for_stream(self.stderr, self.environ, quiet=self.args.quiet)
        if self.args.debug:
            from mfa_export.redact import enable_debug_logging

            self.redactor = enable_debug_logging(self.stderr)
        # Chosen before anything is spent: a bad --shell must not burn an MFA code.
        if self.args.format == "shell":
            from mfa_export.detect import choose_shell

            self.shell = choose_shell(self.args.shell, self.environ)
        if self.args.unset:
            return self._unset()
        return self._export()

    def _unset(self):
        from mfa_export.exports import unset_plan

        if self.shell is None:
            raise UsageError("--unset writes shell code", "drop --format, or use --format shell")
        return self.shell.render(unset_plan())

    def _export(self):
        from mfa_export import codes, settings as settings_module

        code = codes.code_from_argument(self.args.code, self.stdin)
        settings = settings_module.resolve(self.args, self.environ)
        from mfa_export import sts  # the expensive import, deferred until AWS must be asked

        source = sts.Source(settings, self.environ)
        if self.redactor is not None:
            self.redactor.add_secret(source.session.get_credentials().secret_key)
        serial = settings.serial
        if serial is None:
            serial = sts.discover_serial(source)
            self.reporter.notice(f"using MFA device {serial}, the only one listed for this IAM user")
        if code is None:
            code = codes.prompt_for_code(serial)
        credentials = sts.get_session_token(source, serial, code, settings.duration, settings.region)
        output = self._render(credentials, settings)
        self.reporter.session(credentials, serial, settings.profile, settings.region, cached=False)
        return output

    def _render(self, credentials, settings):
        if self.shell is None:
            from mfa_export.formats import credential_process_json

            return credential_process_json(credentials)
        from mfa_export.exports import export_plan

        return self.shell.render(export_plan(credentials, settings.region, settings.profile))

    def fail_output(self):
        if self.args is not None and self.args.format != "shell":
            return ""
        return (self.shell or _fallback_shell(self.environ)).fail()


def _fallback_shell(environ):
    """The shell to fail in when choosing one failed: $MFA_EXPORT_SHELL if usable, else POSIX `false`."""
    from mfa_export.shells import canonical_name, get_shell

    return get_shell(canonical_name(environ.get("MFA_EXPORT_SHELL", "")) or "sh")


def _write(stream, text):
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)
        stream.flush()


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def main(argv=None, environ=None, stdin=None, stdout=None, stderr=None):
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    run = Run(environ, stdin if stdin is not None else sys.stdin, stdout, stderr)
    try:
        try:
            output = run.execute(argv)
        except KeyboardInterrupt:
            raise Interrupted("interrupted; nothing was exported") from None
    except SystemExit as exc:  # argparse after --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except MfaExportError as exc:
        return _fail(run, exc, exc.exit_code, str(exc))
    except Exception as exc:  # a bug: still fail closed, and say how to see more
        return _fail(run, exc, 1, f"unexpected error: {type(exc).__name__}: {exc}; rerun with --debug and report it")
    _write(stdout, output)
    if run.shell is not None and _isatty(stdout) and not run.args.unset:
        run.reporter.eval_hint(run.shell)
    return EXIT_OK


def _fail(run, exc, code, message):
    from mfa_export.summary import Reporter

    if run.args is not None and run.args.debug:
        import traceback

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        run.stderr.write(run.redactor.redact(text) if run.redactor else text)
    reporter = getattr(run, "reporter", None) or Reporter.for_stream(run.stderr, run.environ)
    reporter.error(message)
    try:
        _write(run.stdout, run.fail_output())
    except Exception:
        pass  # nothing more we can say on stdout; the exit code still fails
    return code
