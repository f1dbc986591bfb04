"""The export modes: the session as shell code or a format, in a credentials-file profile, or in a
command's environment (-- COMMAND); and --unset."""

from __future__ import annotations

from mfa_export.errors import UsageError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from typing import NoReturn

    from mfa_export.awsconfig import AwsFiles
    from mfa_export.cli import Run
    from mfa_export.credentials import Credentials
    from mfa_export.exports import Plan
    from mfa_export.request import Request
    from mfa_export.session import Session
    from mfa_export.settings import Settings
    from mfa_export.writeprofile import ProfileWriter


def writes_shell_code(args: Request) -> bool:
    """Whether the output is code for the caller's shell (not a format, a profile or a command's run)."""
    return args.format == "shell" and not args.command and args.write_profile is None


def _choose_output(run: Run) -> None:
    """The shell (or $GITHUB_ENV) checked before anything is spent: a bad --shell must not burn a code."""
    args = run.args
    if args.command or args.write_profile is not None:
        if args.command and args.write_profile is not None:
            raise UsageError("-- COMMAND and --write-profile do not go together")
        return
    if args.format == "github":
        from mfa_export.formats import github_env_path

        github_env_path(run.environ)
    if writes_shell_code(args):
        from mfa_export.detect import choose_shell

        run.shell = choose_shell(args.shell, run.environ)


def unset(run: Run) -> str:
    from mfa_export.exports import unset_plan

    _choose_output(run)
    if run.shell is None:
        raise UsageError("--unset writes shell code", "drop --format, or use --format shell")
    return _render(run, None, unset_plan())


def export(run: Run) -> str:
    from mfa_export import codes, inputs
    from mfa_export import settings as settings_module
    from mfa_export.awsconfig import AwsFiles
    from mfa_export.cli import isatty
    from mfa_export.session import SessionSource

    _choose_output(run)
    args = run.args
    code = codes.code_from_argument(args.code, run.stdin)
    min_ttl = inputs.parse_span(args.min_ttl, "--min-ttl")
    files = AwsFiles(run.environ)
    settings = settings_module.resolve(args, run.environ, files)
    writer = None
    if args.write_profile is not None:
        writer = _profile_writer(run, settings, files, min_ttl)
        if writer is None:
            return ""
    session = SessionSource(
        settings,
        run.environ,
        run.reporter,
        code=code,
        use_cache=not args.no_cache,
        force=args.force,
        force_mfa=args.force_mfa,
        requested_duration=settings.duration if args.duration else None,
        min_ttl=min_ttl,
        code_command=args.code_command,
    ).get()
    from mfa_export.exports import export_plan

    plan = export_plan(session.credentials, settings.region, settings.selected)
    if args.command:
        _exec(run, plan, session, settings)
    if writer is not None:
        written = writer.write(session.credentials)
        report(run, session, settings)
        name = args.write_profile
        run.reporter.notice(f"wrote {' and '.join(written)}; use it with --profile {name} or AWS_PROFILE={name}")
        return ""
    if run.shell is not None and run.wrapped is None and isatty(run.stdout):
        # Nobody can eval a terminal: show what would be set, never the secrets themselves (the
        # session is cached, so the eval in the hint needs no new code).
        from mfa_export.exports import SECRET_VARIABLES

        plan = [(name, "****" if value and name in SECRET_VARIABLES else value) for name, value in plan]
    output = _render(run, session.credentials, plan)
    report(run, session, settings)
    return output


def _profile_writer(run: Run, settings: Settings, files: AwsFiles, min_ttl: float) -> ProfileWriter | None:
    """The --write-profile target, checked before a code is spent; None when it holds a good session."""
    from mfa_export.writeprofile import ProfileWriter

    args = run.args
    assert args.write_profile is not None
    writer = ProfileWriter(settings, args.write_profile, files, run.environ, run.reporter)
    fresh = None if (args.force or args.force_mfa) else writer.fresh_until(min_ttl)
    if fresh is None:
        return writer
    from mfa_export.summary import local_time, relative

    expiry, left = fresh
    run.reporter.notice(
        f"[{args.write_profile}] in {writer.credentials_file} holds a session until "
        f"{local_time(expiry)} ({relative(left)}); nothing written (--force replaces it)"
    )
    return None


def report(run: Run, session: Session, settings: Settings) -> None:
    run.reporter.session(
        session.credentials,
        session.serial,
        settings.selected,
        settings.region,
        cached=session.cached,
        identity=session.identity,
        renewable_until=session.renewable_until,
    )


def _render(run: Run, credentials: Credentials | None, plan: Plan) -> str:
    if run.wrapped is not None and run.shell is not None:
        return run.shell.render_wrapped(plan)
    if run.shell is not None:
        return run.shell.render(plan)
    from mfa_export import formats

    if run.args.format == "dotenv":
        return formats.dotenv(plan)
    if run.args.format == "github":
        return formats.github(plan, run.environ)
    assert credentials is not None  # json is only rendered for an export
    return formats.credential_process_json(credentials)


def _exec(run: Run, plan: Plan, session: Session, settings: Settings) -> NoReturn:
    from mfa_export import execmode

    command = run.args.command
    assert command is not None
    env = execmode.environment_with(run.environ, plan)
    path = execmode.resolve_command(command, env)
    report(run, session, settings)
    execmode.exec_command(path, command, env)  # does not return
