"""--add, --remove and --rotate: an IAM user's long-term keys moved into the OS keyring, removed
from it, and rotated (aws-vault add / remove / rotate).

Every step is said on stderr as it happens, and each is ordered so that a failure never loses a
working key: --add removes the keys from the credentials file only after the keyring gave them
back; --rotate deletes the old key only after the new one is stored and signs.
"""

from __future__ import annotations

import time

from mfa_export import awsconfig, keystore
from mfa_export.errors import ConfigError, ServiceError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from mfa_export.cli import Run
    from mfa_export.inifile import IniText
    from mfa_export.settings import Settings
    from mfa_export.summary import Reporter

KEY_ID = "aws_access_key_id"
SECRET = "aws_secret_access_key"
DEFAULT_ROTATE_WAIT = 60.0  # IAM is eventually consistent: a new key may take seconds to sign


def _mask(key_id: str) -> str:
    return key_id[:4] + "…" + key_id[-4:] if len(key_id) > 8 else key_id


def _file_keys(files: awsconfig.AwsFiles, profile: str) -> tuple[str, str] | None:
    """The profile's key pair in the credentials file, or None; refuses session credentials."""
    values = files.credentials(profile)
    if values.get("aws_session_token"):
        raise ConfigError(
            f"[{profile}] in {files.credentials_file} holds session credentials, not an IAM user's keys",
            "name the profile that holds the long-term keys",
        )
    if values.get(KEY_ID) and values.get(SECRET):
        return values[KEY_ID], values[SECRET]
    if values.get(KEY_ID) or values.get(SECRET):
        raise ConfigError(f"[{profile}] in {files.credentials_file} has only half a key pair", "fix it first")
    return None


def _check_name(profile: str, flag: str) -> None:
    from mfa_export.writeprofile import check_name

    check_name(profile, flag)  # a name that can be a section of the credentials file


def add(profile: str, environ: Mapping[str, str], reporter: Reporter) -> None:
    from mfa_export import codes, sts

    _check_name(profile, "--add")
    files = awsconfig.AwsFiles(environ)
    files.credentials_ini.ini  # noqa: B018 - the whole file must parse before anything changes
    if files.config(profile).get(KEY_ID):
        raise ConfigError(
            f"profile {profile} has its keys in {files.config_file}",
            "move them to the credentials file first; --add takes them from there",
        )
    keyring = keystore.Keyring()  # no usable backend: stop before anything is asked or sent
    found = _file_keys(files, profile)
    from_file = found is not None
    if found is None:
        found = codes.ask_keys(profile)
        reporter.notice(f"checking the keys typed for {profile}")
    key_id, secret = found
    sts.start_budget(environ)
    signer = sts.KeyPair(key_id, secret, f"the keys of {profile}", sts.profile_session(profile))
    arn = sts.caller_arn(signer, files.config(profile).get("region"))
    reporter.notice(f"the keys sign as {arn}")
    keyring.set(profile, key_id, secret)  # reads them back, and raises if they differ
    keystore.update_index(environ, profile, key_id, reporter.notice)
    reporter.notice(f"stored access key {_mask(key_id)} of {profile} in the OS keyring ({keyring.name})")
    if from_file:
        _remove_from_file(files.credentials_file, profile, key_id, environ, reporter)
    elif not files.has_profile(profile):
        _add_empty_section(files.credentials_file, profile, environ, reporter)


def _remove_from_file(path: str, profile: str, key_id: str, environ: Mapping[str, str], reporter: Reporter) -> None:
    from mfa_export.writeprofile import check_edit, locked_edit

    def change(ini: IniText) -> str | None:
        values = ini.values(profile) or {}
        if values.get(KEY_ID) != key_id:
            raise ConfigError(
                f"[{profile}] in {path} changed while its keys were being stored; it was left as it is",
                f"the keyring holds key {_mask(key_id)}; remove the file's keys by hand if they are the same",
            )
        text = ini.without_keys(profile, {KEY_ID, SECRET})
        check_edit(ini, text, path, profile, {}, frozenset({KEY_ID, SECRET}))
        return text

    locked_edit(path, environ, reporter.notice, change)
    reporter.notice(f"removed aws_access_key_id and aws_secret_access_key of [{profile}] from {path}")


def _add_empty_section(path: str, profile: str, environ: Mapping[str, str], reporter: Reporter) -> None:
    """An empty [PROFILE] in the credentials file, so that AWS tools and mfa-export know the profile."""
    from mfa_export.writeprofile import locked_edit

    def change(ini: IniText) -> str | None:
        return None if profile in ini.sections else ini.with_values(profile, {})

    if locked_edit(path, environ, reporter.notice, change):
        reporter.notice(f"added an empty [{profile}] to {path}, so the profile exists for AWS tools")


def remove(profile: str, environ: Mapping[str, str], reporter: Reporter, yes: bool) -> None:
    from mfa_export import codes

    _check_name(profile, "--remove")
    keyring = keystore.Keyring()
    if keyring.get(profile) is None:
        keystore.update_index(environ, profile, None, reporter.notice)
        raise ConfigError(
            f"the OS keyring holds no keys for {profile}", "see where keys live: mfa-export --list-profiles"
        )
    if not yes:
        question = f"Remove the access keys of {profile} from the OS keyring? They are in no file."
        if not codes.confirm(question, "--remove needs a yes: on a terminal, or with --yes"):
            raise UsageError(f"the keys of {profile} were not removed")
    keyring.delete(profile)
    keystore.update_index(environ, profile, None, reporter.notice)
    reporter.notice(f"removed the keys of {profile} from the OS keyring ({keyring.name})")


def rotate(profile: str, environ: Mapping[str, str], reporter: Reporter, mfa_session: Any, settings: Settings) -> None:
    """``mfa_session``: an MFA session of the profile's IAM user (cached or new), which signs the IAM calls."""
    from mfa_export import sts

    sts.start_budget(environ)  # a cached MFA session means no call has been made yet
    files = awsconfig.AwsFiles(environ)
    in_keyring = bool(settings.keyring_key)
    old = settings.keyring_key if in_keyring else (_file_keys(files, profile) or ("", ""))[0]
    if not old:
        raise ConfigError(
            f"profile {profile} has no access keys in the credentials file or the OS keyring",
            "--rotate changes keys that mfa-export can store again: those two places",
        )
    keyring = keystore.Keyring() if in_keyring else None
    signer = sts.SessionSigner(mfa_session.credentials, sts.config_session(settings), f"the MFA session of {profile}")
    keys = sts.access_keys(signer)
    others = [key for key in keys if key != old]
    if others:
        raise ConfigError(
            f"the IAM user of {profile} already has two access keys ({', '.join(_mask(k) for k in keys)})",
            f"delete the one not in use first: aws iam delete-access-key --access-key-id {others[0]}",
        )
    new_id, new_secret = sts.create_access_key(signer)
    reporter.notice(f"created access key {_mask(new_id)} for the IAM user of {profile}")
    if keyring is not None:
        keyring.set(profile, new_id, new_secret)
        keystore.update_index(environ, profile, new_id, reporter.notice)
        where = f"the OS keyring ({keyring.name})"
    else:
        _replace_in_file(files.credentials_file, profile, old, new_id, new_secret, environ, reporter)
        where = files.credentials_file
    reporter.notice(f"stored access key {_mask(new_id)} in {where}")
    _wait_until_it_signs(profile, new_id, new_secret, old, where, environ, reporter, files)
    try:
        sts.delete_access_key(signer, old)
    except Exception as exc:
        message = getattr(exc, "message", str(exc))
        raise ServiceError(
            f"the new key {_mask(new_id)} is stored in {where} and works, but deleting the old key "
            f"{_mask(old)} failed: {message}",
            f"delete it yourself: aws iam delete-access-key --access-key-id {old}",
        ) from exc
    reporter.notice(f"deleted the old access key {_mask(old)}; {profile} now signs with {_mask(new_id)}")


def _replace_in_file(
    path: str, profile: str, old: str, new_id: str, secret: str, environ: Mapping[str, str], reporter: Reporter
) -> None:
    from mfa_export.writeprofile import check_edit, check_value, locked_edit

    check_value(KEY_ID, new_id)
    check_value(SECRET, secret)

    def change(ini: IniText) -> str | None:
        if (ini.values(profile) or {}).get(KEY_ID) != old:
            raise ConfigError(
                f"[{profile}] in {path} changed during the rotation; the new key {new_id} was not written",
                f"write it yourself, then delete the old key: aws iam delete-access-key --access-key-id {old}",
            )
        values = {KEY_ID: new_id, SECRET: secret}
        text = ini.with_values(profile, values)
        check_edit(ini, text, path, profile, values)
        return text

    locked_edit(path, environ, reporter.notice, change)


def _wait_until_it_signs(
    profile: str,
    key_id: str,
    secret: str,
    old: str,
    where: str,
    environ: Mapping[str, str],
    reporter: Reporter,
    files: awsconfig.AwsFiles,
) -> None:
    from mfa_export import inputs, sts
    from mfa_export.errors import AwsRefused, MfaExportError

    wait = inputs.seconds_from_env(environ, "MFA_EXPORT_ROTATE_WAIT", DEFAULT_ROTATE_WAIT, maximum=600)
    signer = sts.KeyPair(key_id, secret, f"the new key of {profile}", sts.profile_session(profile))
    give_up = time.monotonic() + wait
    pause = 1.0
    while True:
        try:
            arn = sts.caller_arn(signer, files.config(profile).get("region"))
        except AwsRefused as exc:
            if time.monotonic() + pause > give_up:
                raise ServiceError(
                    f"the new key {_mask(key_id)} is stored in {where}, but AWS did not accept it within "
                    f"{wait:.0f}s ({exc.message}); the old key {_mask(old)} was not deleted and still works in IAM",
                    "try the new key in a minute (mfa-export -p "
                    f"{profile}); then delete the old one: aws iam delete-access-key --access-key-id {old}",
                ) from None
            reporter.notice(f"the new key does not sign yet ({exc.message}); IAM takes a moment, retrying")
            time.sleep(pause)
            pause = min(pause * 2, 8.0)
            continue
        except MfaExportError as exc:  # the network, say: the same state, said with its cause
            raise ServiceError(
                f"the new key {_mask(key_id)} is stored in {where}, but checking it failed ({exc.message}); "
                f"the old key {_mask(old)} was not deleted and still works in IAM",
                f"check the new key later (mfa-export -p {profile}), then delete the old one: "
                f"aws iam delete-access-key --access-key-id {old}",
            ) from None
        reporter.notice(f"the new key signs as {arn}")
        return


# -- the modes (modes.py) ----------------------------------------------------------------------------


def run_add(run: Run) -> str:
    assert run.args.add is not None
    add(run.args.add, run.environ, run.reporter)
    return ""


def run_remove(run: Run) -> str:
    assert run.args.remove is not None
    remove(run.args.remove, run.environ, run.reporter, run.args.yes)
    return ""


def run_rotate(run: Run) -> str:
    """--rotate PROFILE: needs the profile's MFA session (CODE, cached, or asked), as an export gets it."""
    from mfa_export import codes, inputs
    from mfa_export import settings as settings_module
    from mfa_export.session import SessionSource

    args = run.args
    profile = args.rotate
    assert profile is not None
    args.profile = profile
    settings = settings_module.resolve(args, run.environ)
    if settings.roles or settings.profile != profile:
        raise UsageError(
            f"--rotate {profile}: that profile assumes a role", "name the profile that holds the access keys"
        )
    session = SessionSource(
        settings,
        run.environ,
        run.reporter,
        code=codes.code_from_argument(args.code, run.stdin),
        use_cache=not args.no_cache,
        force=False,
        force_mfa=args.force_mfa,
        requested_duration=None,
        min_ttl=inputs.parse_span(args.min_ttl, "--min-ttl"),
        code_command=args.code_command,
    ).get()
    rotate(profile, run.environ, run.reporter, session, settings)
    return ""
