"""The CLI's real output, applied by each real shell the way users do, compared byte for byte.

Credentials come from the strict fake STS over HTTP; a hostile endpoint's values must arrive intact
(or be refused), must never run code, and a failed run must make the caller's eval fail.
"""

import json
from datetime import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfa_export.credentials import format_utc
from mfa_export.errors import OutputError
from mfa_export.shells import get_shell
from tests.realshells import SHELLS, dump_command, run_script, script_for

SHELL_NAMES = list(SHELLS)


def marker_values(tmp_path, kind):
    """Values that would create a marker file if any shell ran a part of them as code."""
    mark = tmp_path / "INJECTED"
    touch = f"touch {mark}"
    values = [
        f"$({touch})",
        f"`{touch}`",
        f"'; {touch}; '",
        f'"; {touch}; "',
        f"\\'; {touch}; #",
        f"({touch})",
        f"@({touch})",
        "!! !$ %PATH% ${HOME} {x} ~ * ?",
        'it\'s "quoted" \\ back\\slash\\',
    ]
    if kind == "any":
        values += [
            f"a\u2019; {touch}; \u2018",
            f"l1\nl2; {touch}\n",
            "cr\rtab\t",
            "\u2018\u2019\u201a\u201b\u201c\u201d",
            "caf\u00e9 \u65e5\u672c",
        ]
    return mark, values


def apply_and_dump(shell, env, tmp_path, args, name_the_shell=True):
    out_file = tmp_path / "env.json"
    cmd = "mfa-export " + " ".join(args) + (f" --shell {shell}" if name_the_shell else "")
    result = run_script(shell, script_for(shell, cmd, dump_command(out_file)), env, tmp_path)
    dumped = json.loads(out_file.read_text()) if out_file.exists() else None
    return result, dumped


@pytest.mark.parametrize("detected", [False, True], ids=["--shell", "detected"])
@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_export_lands_in_the_shell(shell, detected, env, user, fake_aws, tmp_path):
    """With --shell, and without any hint at all: shellingham must find the shell in the process tree."""
    env = dict(env, AWS_PROFILE="default", AWS_SECURITY_TOKEN="stale", AWS_DEFAULT_PROFILE="old")
    env.pop("MFA_EXPORT_SHELL", None)
    result, dumped = apply_and_dump(shell, env, tmp_path, [user.code()], name_the_shell=not detected)
    assert result.returncode == 0, result.stderr.decode()
    assert dumped is not None
    session = fake_aws.sessions[dumped["AWS_ACCESS_KEY_ID"]]
    assert session.mfa and session.user is user
    assert dumped["AWS_SECRET_ACCESS_KEY"] == session.secret_access_key
    assert dumped["AWS_SESSION_TOKEN"] == session.session_token
    assert dumped["AWS_CREDENTIAL_EXPIRATION"] == format_utc(session.expiration.astimezone(timezone.utc))
    assert dumped["AWS_REGION"] == dumped["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert dumped["MFA_EXPORT_PROFILE"] == "default"
    for gone in ("AWS_PROFILE", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"):
        assert gone not in dumped


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_hostile_credentials_round_trip_without_running_code(shell, env, user, fake_aws, tmp_path):
    kind = "ascii" if shell == "tcsh" else "any"
    mark, values = marker_values(tmp_path, kind)
    joined = "|".join(values)
    fake_aws.hostile_credentials = {"SecretAccessKey": joined, "SessionToken": values[0] + values[-1]}
    result, dumped = apply_and_dump(shell, env, tmp_path, [user.code()])
    assert result.returncode == 0, result.stderr.decode()
    assert dumped["AWS_SECRET_ACCESS_KEY"] == joined
    assert dumped["AWS_SESSION_TOKEN"] == values[0] + values[-1]
    assert not mark.exists()


def test_tcsh_refuses_a_newline_and_fails_closed(env, user, fake_aws, tmp_path):
    fake_aws.hostile_credentials = {"SessionToken": "line1\nline2"}
    deployed = tmp_path / "DEPLOYED"
    result = run_script(
        "tcsh", script_for("tcsh", f"mfa-export {user.code()} --shell tcsh", f"touch {deployed}"), env, tmp_path
    )
    assert result.returncode != 0 and not deployed.exists()
    assert b"cannot carry" in result.stderr


@pytest.mark.parametrize("shell", SHELL_NAMES)
@pytest.mark.parametrize("code", ["000000", "12345"])
def test_failure_makes_the_eval_fail(shell, code, env, user, tmp_path):
    deployed = tmp_path / "DEPLOYED"
    env = dict(env, AWS_ACCESS_KEY_ID="before")
    result = run_script(
        shell, script_for(shell, f"mfa-export {code} --shell {shell}", f"touch {deployed}"), env, tmp_path
    )
    assert result.returncode != 0
    assert not deployed.exists()


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_unset_removes_what_export_sets(shell, env, tmp_path):
    env = dict(
        env,
        AWS_ACCESS_KEY_ID="a",
        AWS_SECRET_ACCESS_KEY="b",
        AWS_SESSION_TOKEN="c",
        AWS_SECURITY_TOKEN="d",
        AWS_CREDENTIAL_EXPIRATION="e",
        MFA_EXPORT_PROFILE="f",
        AWS_REGION="r",
    )
    result, dumped = apply_and_dump(shell, env, tmp_path, ["--unset"])
    assert result.returncode == 0, result.stderr.decode()
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "MFA_EXPORT_PROFILE",
    ):
        assert name not in dumped
    assert dumped["AWS_REGION"] == "r"


# -- the renderers alone, with generated values, in every real shell --------------------------------

values_strategy = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=30),
        st.sampled_from(["'", '"', "\\", "$(", "`", "\n", "\r", "!", "\u2019", "\u201b", "%", "{", "}", "@(", "'\\''"]),
    ),
    min_size=1,
    max_size=5,
).map(lambda parts: "".join(parts))


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_generated_values_round_trip(shell, home, tmp_path_factory):
    from tests.conftest import base_env

    renderer = get_shell(shell)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(values_strategy, min_size=1, max_size=4))
    def check(values):
        work = tmp_path_factory.mktemp(shell)
        plan = [(f"MFA_TEST_V{i}", v) for i, v in enumerate(values)] + [("MFA_TEST_GONE", None)]
        try:
            text = renderer.render(plan)
        except OutputError:
            assert any(renderer.refuse_reason(v) for v in values)
            return
        (work / "out.txt").write_text(text, encoding="utf-8")
        out = work / "env.json"
        env = dict(base_env(home), MFA_TEST_GONE="x")
        result = run_script(shell, script_for(shell, f"cat {work / 'out.txt'}", dump_command(out)), env, work)
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        dumped = json.loads(out.read_text())
        assert [dumped.get(f"MFA_TEST_V{i}") for i in range(len(values))] == values
        assert "MFA_TEST_GONE" not in dumped

    check()
