"""The `mfa` wrappers of shell/, loaded with `mfa-export --init SHELL` into each real shell (no rc
files), against the strict fake STS: the variables land in the same shell, a failure changes nothing
and returns mfa-export's status, --unset clears, `mfa -- cmd` runs a command with the session."""

import json
import subprocess

import pytest

from tests.conftest import cli_command
from tests.realshells import dump_command, require, run_script

POSIX = ["bash", "zsh", "dash", "ksh", "mksh", "yash", "ash"]


def posix(shell):
    init = "sh" if shell == "dash" else shell
    return {
        "load": f'eval "$(mfa-export --init {init})"',
        "status": "echo $? > {file}",
    }


def script(shell, wrapper_file, steps):
    """steps: [(mfa arguments, status file or None, dump file or None)]."""
    if shell in POSIX:
        load, status = posix(shell)["load"], "echo $? > {file}"
    elif shell == "fish":
        load, status = "mfa-export --init fish | source", "echo $status > {file}"
    elif shell == "tcsh":
        load, status = 'eval "`mfa-export --init tcsh`"', "echo $status > {file}"
    elif shell == "elvish":
        load = "var mfa~ = (eval (mfa-export --init elvish | slurp) &on-end={|ns| put $ns[mfa~] })"
        status = None
    elif shell == "xonsh":
        load, status = "execx($(mfa-export --init xonsh))", None
    elif shell == "nu":
        load, status = f"source {wrapper_file}", None
    lines = [load]
    for args, status_file, dump_file in steps:
        call = "mfa " + " ".join(args)
        if shell == "elvish":
            lines.append(
                f"try {{ {call}; echo 0 > {status_file} }} catch e {{ echo $e[reason][exit-status] > {status_file} }}"
            )
        elif shell == "xonsh":
            lines.append(f"_r = ![{call}]")
            lines.append(f"echo @(_r.returncode) > {status_file}")
        elif shell == "nu":
            lines.append(f"let r = (try {{ {call}; 0 }} catch {{|e| $env.LAST_EXIT_CODE }})")
            lines.append(f"$r | into string | save -f {status_file}")
        else:
            lines.append(call)
            lines.append(status.format(file=status_file))
        if dump_file:
            lines.append(dump_command(dump_file))
    return "\n".join(lines) + "\n"


def read(path):
    return path.read_text().strip() if path.exists() else None


@pytest.mark.parametrize("shell", POSIX + ["fish", "tcsh", "elvish", "xonsh", "nu"])
def test_wrapper_in_the_same_shell(shell, env, user, fake_aws, tmp_path):
    require(shell)
    wrapper_file = tmp_path / "wrapper.nu"
    if shell == "nu":
        wrapper_file.write_text(
            subprocess.run(cli_command() + ["--init", "nu"], capture_output=True, text=True, check=True).stdout
        )
    code = user.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    f = {name: tmp_path / name for name in ("s1", "d1", "s2", "d2", "s3", "d3", "s4", "d4")}
    env = dict(env, AWS_PROFILE="default", AWS_ACCESS_KEY_ID="before")
    steps = [
        ([code], f["s1"], f["d1"]),
        ([wrong, "--force"], f["s2"], f["d2"]),
        (["--", *dump_command(f["d3"]).split()], f["s3"], None),
        (["--unset"], f["s4"], f["d4"]),
    ]
    result = run_script(shell, script(shell, wrapper_file, steps), env, tmp_path)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    first, second = json.loads(f["d1"].read_text()), json.loads(f["d2"].read_text())
    third, fourth = json.loads(f["d3"].read_text()), json.loads(f["d4"].read_text())
    # 1: the session is in the shell itself
    assert read(f["s1"]) == "0"
    session = fake_aws.sessions[first["AWS_ACCESS_KEY_ID"]]
    assert first["AWS_SESSION_TOKEN"] == session.session_token and "AWS_PROFILE" not in first
    # 2: a rejected code fails with mfa-export's status (4) and leaves the environment as it was
    assert read(f["s2"]) == "4"
    assert {k: second.get(k) for k in first if k.startswith(("AWS_", "MFA_"))} == {
        k: v for k, v in first.items() if k.startswith(("AWS_", "MFA_"))
    }
    # 3: a command with the (cached) session in its environment
    assert read(f["s3"]) == "0" and third["AWS_SESSION_TOKEN"] == session.session_token
    # 4: --unset clears
    assert read(f["s4"]) == "0"
    assert "AWS_SESSION_TOKEN" not in fourth and "AWS_ACCESS_KEY_ID" not in fourth
    assert fake_aws.count("GetSessionToken") == 2  # the first code, then the rejected one


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_renamed_wrapper(shell, env, user, tmp_path):
    require(shell)
    load = (
        'eval "$(mfa-export --init bash --cmd awsmfa)"'
        if shell == "bash"
        else "mfa-export --init fish --cmd awsmfa | source"
    )
    out = tmp_path / "env.json"
    text = f"{load}\nawsmfa {user.code()}\n{dump_command(out)}\n"
    result = run_script(shell, text, env, tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(out.read_text())["AWS_SESSION_TOKEN"]


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "fish", "tcsh", "elvish", "xonsh", "nu"])
def test_advice_names_the_command_the_user_typed(shell, env, tmp_path):
    """`mfa 12345` is told to run `mfa 123456`, not `mfa-export 123456`."""
    require(shell)
    wrapper_file = tmp_path / "wrapper.nu"
    if shell == "nu":
        wrapper_file.write_text(
            subprocess.run(cli_command() + ["--init", "nu"], capture_output=True, text=True, check=True).stdout
        )
    result = run_script(shell, script(shell, wrapper_file, [(["12345"], tmp_path / "s", None)]), env, tmp_path)
    stderr = result.stderr.decode(errors="replace")
    assert "e.g. mfa 123456" in stderr and "mfa-export 123456" not in stderr, stderr
    assert read(tmp_path / "s") in {"2", None}  # elvish and nu report it their own way


def test_renamed_wrapper_advice_names_the_new_name(env, tmp_path):
    text = 'eval "$(mfa-export --init bash --cmd awsmfa)"\nawsmfa 12345\nawsmfa -p base 1 2 3\n'
    result = run_script("bash", text, env, tmp_path)
    stderr = result.stderr.decode()
    assert "e.g. awsmfa 123456" in stderr and "see awsmfa --help" in stderr, stderr
    assert "mfa-export 123456" not in stderr


def test_the_product_name_and_paths_stay_in_wrapped_messages():
    import io

    from mfa_export.summary import Reporter

    out = io.StringIO()
    Reporter(out, command="mfa").error(
        "another mfa-export run holds /x/mfa-export/lock; e.g. mfa-export 123456, echo 1 | mfa-export -, "
        'or eval "$(mfa-export --init bash)"'
    )
    assert out.getvalue() == (
        "mfa-export: error: another mfa-export run holds /x/mfa-export/lock; e.g. mfa 123456, echo 1 | mfa -, "
        'or eval "$(mfa-export --init bash)"\n'
    )


def test_wrapper_passes_help_through(env, tmp_path):
    result = run_script("bash", 'eval "$(mfa-export --init bash)"\nmfa --help\n', env, tmp_path)
    assert result.returncode == 0 and b"usage: mfa-export" in result.stdout


def test_shellcheck_passes_on_posix_files():
    from tests.realshells import ROOT

    shellcheck = require_tool("shellcheck")
    for path, dialect in [
        ("shell/mfa-export.sh", "sh"),
        ("shell/mfa-export.bash", "bash"),
        ("shell/completions/mfa-export.bash", "bash"),
    ]:
        result = subprocess.run([shellcheck, "-s", dialect, str(ROOT / path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout
    for shell in ("ksh", "dash"):
        text = subprocess.run(cli_command() + ["--init", shell], capture_output=True, text=True).stdout
        result = subprocess.run(
            [shellcheck, "-s", "ksh" if shell == "ksh" else "dash", "-"], input=text, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout


def test_fish_indent_leaves_fish_files_unchanged():
    from tests.realshells import ROOT

    fish_indent = require_tool("fish_indent")
    for path in ("shell/mfa-export.fish", "shell/completions/mfa-export.fish"):
        original = (ROOT / path).read_text()
        indented = subprocess.run([fish_indent], input=original, capture_output=True, text=True).stdout
        assert indented == original, path


def require_tool(name):
    import os
    import shutil

    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; tests/run installs it")
        pytest.skip(f"{name} is not installed")
    return found


def test_elvish_rc_line_defines_mfa_in_the_interactive_shell(env, tmp_path):
    """rc.elv's `eval (mfa-export --init elvish | slurp)` must leave `mfa` usable at the prompt."""
    import re
    import time

    import pexpect

    binary = require("elvish")
    child = pexpect.spawn(
        binary,
        ["-norc"],
        env=dict(env, TERM="dumb", AWS_SESSION_TOKEN="old"),
        encoding="utf-8",
        timeout=20,
        cwd=str(tmp_path),
    )
    # elvish's line editor drops what is typed before it is ready: give it a moment per line
    for line in (
        "eval (mfa-export --init elvish | slurp)",
        "mfa --unset; echo MARK (has-env AWS_SESSION_TOKEN) END",
        "exit",
    ):
        time.sleep(1)
        child.sendline(line)
    child.expect(pexpect.EOF)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before)
    assert "MARK $false END" in plain


@pytest.mark.parametrize("shell", ["bash", "dash", "mksh"])
@pytest.mark.parametrize("args", [["-qh"], ["-hq"], ["--he"], ["CODE", "-qf", "json"]])
def test_help_in_any_spelling_is_never_evaluated(shell, args, env, user, tmp_path):
    """The help text (or JSON) reaches the terminal as text; the shell never runs it as code."""
    status = tmp_path / "status"
    args = [user.code() if a == "CODE" else a for a in args]
    text = script(shell, None, [(args, status, None)])
    result = run_script(shell, text, env, tmp_path)
    err = result.stderr.decode()
    assert "not found" not in err and "syntax error" not in err, err
    if args != ["--he"]:
        assert read(status) == "0", err
        assert (b"usage: mfa-export" in result.stdout) or (b'"Version": 1' in result.stdout)


def test_nushell_unset_removes_the_variables(env, user, tmp_path):
    """`mfa --unset` hides the variables; loading them as null would leave them in $env."""
    require("nu")
    wrapper_file = tmp_path / "wrapper.nu"
    wrapper_file.write_text(
        subprocess.run(cli_command() + ["--init", "nu"], capture_output=True, text=True, check=True).stdout
    )
    text = (
        f"source {wrapper_file}\nmfa {user.code()}\n"
        'print ("AWS_SESSION_TOKEN" in $env)\nmfa --unset\n'
        "print ([AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID MFA_EXPORT_PROFILE] | any {|name| $name in $env})\n"
    )
    result = run_script("nu", text, env, tmp_path)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout.decode().split() == ["true", "false"]
