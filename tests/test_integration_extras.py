"""Completions loaded in their real shells, --status for prompts, --init from an installed wheel."""

import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from mfa_export.errors import UsageError
from mfa_export.init import INIT_SHELLS, init_script
from tests.conftest import cli_command, write_aws_files
from tests.realshells import run_script


@pytest.fixture
def profiles_env(env, home, user):
    write_aws_files(
        home,
        config="[default]\nregion = eu-west-1\n[profile dev-admin]\nrole_arn = "
        "arn:aws:iam::222222222222:role/admin\nsource_profile = default\n[profile prod]\n",
        credentials=f"[default]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n",
    )
    return env


def test_bash_completion(profiles_env, tmp_path):
    text = (
        'eval "$(mfa-export --init bash)"\ncomplete -p mfa-export mfa\n'
        'COMP_WORDS=(mfa -p de); COMP_CWORD=2; _mfa_export_complete; printf "P:%s\\n" "${COMPREPLY[@]}"\n'
        'COMP_WORDS=(mfa-export --sh); COMP_CWORD=1; _mfa_export_complete; printf "F:%s\\n" "${COMPREPLY[@]}"\n'
        'COMP_WORDS=(mfa-export --shell f); COMP_CWORD=2; _mfa_export_complete; printf "S:%s\\n" "${COMPREPLY[@]}"\n'
        'COMP_WORDS=(mfa-export --shell c); COMP_CWORD=2; _mfa_export_complete; printf "C:%s\\n" "${COMPREPLY[@]}"\n'
        'COMP_WORDS=(mfa-export --init c); COMP_CWORD=2; _mfa_export_complete; printf "I:%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = run_script("bash", text, profiles_env, tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert "complete -F _mfa_export_complete mfa-export" in out and "complete -F _mfa_export_complete mfa" in out
    assert sorted(line for line in out.splitlines() if line.startswith("P:")) == ["P:default", "P:dev-admin"]
    assert "F:--shell" in out and "S:fish" in out
    # --shell cmd exists; --init cmd does not, so it is not offered
    assert "C:cmd" in out and "I:csh" in out and "I:cmd" not in out


def test_fish_completion(profiles_env, tmp_path):
    text = "mfa-export --init fish | source\ncomplete -C 'mfa -p '\ncomplete -C 'mfa-export --form'\n"
    result = run_script("fish", text, profiles_env, tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert {"default", "dev-admin", "prod"} <= set(names) and "--format" in names
    init = run_script(
        "fish", "mfa-export --init fish | source\ncomplete -C 'mfa-export --init '\n", profiles_env, tmp_path
    )
    offered = [line.split("\t")[0] for line in init.stdout.decode().splitlines()]
    assert "fish" in offered and "cmd" not in offered


def test_zsh_completion_loads(profiles_env, tmp_path):
    text = (
        'autoload -U compinit && compinit -u -D\neval "$(mfa-export --init zsh)"\n'
        'print -r -- "${_comps[mfa-export]} ${_comps[mfa]}"\n'
        'print -rl -- ${(f)"$(command mfa-export --complete profiles)"}\n'
    )
    result = run_script("zsh", text, profiles_env, tmp_path)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "_mfa_export _mfa_export" and lines[1:] == ["default", "dev-admin", "prod"]


def test_completion_files_know_every_flag():
    """The hand-written completions must not fall behind the declared options (options.OPTIONS)."""
    from mfa_export.options import OPTIONS, SUPPRESS
    from tests.realshells import ROOT

    flags = {
        flag
        for option in OPTIONS
        if option.keywords.get("help") != SUPPRESS
        for flag in option.flags
        if flag.startswith("-")
    } | {"-h", "--help"}
    for path in (
        "shell/completions/mfa-export.bash",
        "shell/completions/_mfa-export",
        "shell/completions/mfa-export.fish",
    ):
        text = (ROOT / path).read_text()
        for flag in flags:
            long_form = flag.lstrip("-")
            if path.endswith(".fish"):
                present = (f"-l {long_form}" in text) if flag.startswith("--") else (f"-s {long_form}" in text)
            else:
                present = flag in text
            assert present, f"{flag} missing from {path}"


# -- --status -------------------------------------------------------------------------------------


def _status(env):
    return subprocess.run(cli_command() + ["--status"], env=env, capture_output=True, text=True)


def test_status_active_expired_absent(env):
    soon = (datetime.now(timezone.utc) + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    active = _status(dict(env, AWS_SESSION_TOKEN="t", AWS_CREDENTIAL_EXPIRATION=soon, MFA_EXPORT_PROFILE="prod"))
    assert active.returncode == 0 and active.stdout in ("prod 2h29m\n", "prod 2h30m\n")
    expired = _status(dict(env, AWS_SESSION_TOKEN="t", AWS_CREDENTIAL_EXPIRATION=past))
    assert expired.returncode == 1 and expired.stdout == "aws expired\n"
    absent = _status(env)
    assert absent.returncode == 1 and absent.stdout == ""
    garbage = _status(dict(env, AWS_SESSION_TOKEN="t", AWS_CREDENTIAL_EXPIRATION="tomorrow"))
    assert garbage.returncode == 1 and garbage.stdout == ""


def test_status_after_a_real_export(cli, env, user):
    exported = cli([user.code(), "--format", "dotenv"], env)
    values = dict(line.split("=", 1) for line in exported.stdout.splitlines())
    result = _status(dict(env, **values))
    assert result.returncode == 0 and result.stdout.startswith("default 11h5")


def test_status_imports_nothing_heavy(env):
    from tests.test_sessions import _probe

    probe = _probe(["--status"], env)
    assert probe["code"] == 1 and probe["heavy"] == []


@pytest.mark.parametrize(
    "shell,snippet",
    [
        ("bash", "PS1='$(mfa-export --status 2>/dev/null) \\$ '"),
        ("zsh", "setopt PROMPT_SUBST; PROMPT='$(mfa-export --status 2>/dev/null) %# '"),
    ],
)
def test_prompt_snippets_are_valid(shell, snippet, env, tmp_path):
    result = run_script(shell, snippet + "\n", env, tmp_path)
    assert result.returncode == 0 and result.stderr == b""


# -- --init ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", INIT_SHELLS)
def test_init_prints_a_wrapper_for_every_shell(shell):
    import re

    from mfa_export.shells import canonical_name

    text = init_script(shell)
    # this shell's own wrapper: it tells mfa-export which shell to write for (csh and powershell are
    # served by the tcsh and pwsh wrappers)
    family = {"csh": "tcsh", "powershell": "pwsh"}.get(shell, canonical_name(shell))
    assert re.findall(r"mfa-export\W+--wrapped\W+(\w+):mfa\b", text) == [family]


def test_init_rejects_bad_names_and_shells():
    with pytest.raises(UsageError):
        init_script("bash", "rm -rf")
    with pytest.raises(UsageError):
        init_script("cmd")


@pytest.mark.parametrize("name", ["awsmfa", "_m", "M2", "a", "2fa", "", "a-b", "é", "a b", "a\n", "mfa;", "ａ", "a٣"])
def test_init_takes_the_names_the_pattern_took(name):
    """--cmd's check, made of character sets (re costs --init at every shell start), against its pattern."""
    import re

    try:
        text = init_script("bash", name)
    except UsageError:
        text = None
    assert (text is not None) == bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name))
    if text is not None:
        assert f"--wrapped bash:{name}" in text


def test_init_from_an_installed_wheel(tmp_path):
    """The wrappers ship inside the wheel: --init works without the source tree."""
    import sys
    import venv
    from pathlib import Path

    from tests.realshells import ROOT

    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    py = target / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    theirs = subprocess.run([py, "-c", purelib], capture_output=True, text=True, check=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", purelib], capture_output=True, text=True, check=True).stdout.strip()
    Path(theirs, "deps.pth").write_text(ours + "\n")
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(next(wheels.glob("*.whl")))],
        check=True,
        capture_output=True,
    )
    for shell in ("bash", "fish", "nu"):
        out = subprocess.run(
            [target / "bin" / "mfa-export", "--init", shell], capture_output=True, text=True, cwd=tmp_path
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout == init_script(shell)


def test_help_is_grouped_with_each_choice_list_once_and_right_set_up_lines():
    result = subprocess.run(cli_command() + ["--help"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0
    out = result.stdout
    for group in ("the MFA session:", "profiles and roles:", "output:", "shell integration:", "cache:", "diagnostics:"):
        assert f"\n{group}\n" in out
    assert "{shell,json" not in out and out.count("json (credential_process v1)") == 1
    assert "mfa-export --init fish | source" in out and 'eval "$(mfa-export --init fish)"' not in out
    assert "eval (mfa-export --init elvish | slurp)" in out
