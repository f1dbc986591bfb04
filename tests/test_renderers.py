"""Exact output of every renderer, and the refusals that keep a hostile value from being emitted."""

import json
from datetime import datetime, timezone

import pytest

from mfa_export.credentials import Credentials
from mfa_export.errors import OutputError
from mfa_export.exports import export_plan, unset_plan
from mfa_export.shells import SHELL_NAMES, canonical_name, get_shell

CREDS = Credentials("ASIAEXAMPLE", "se'cret/+=", "tok$(x)`y`", datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
PLAN = export_plan(CREDS, "eu-west-1", "dev")


def test_posix_exact():
    assert get_shell("bash").render(PLAN) == (
        "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\n"
        "export AWS_SECRET_ACCESS_KEY='se'\\''cret/+='\n"
        "export AWS_SESSION_TOKEN='tok$(x)`y`'\n"
        "export AWS_CREDENTIAL_EXPIRATION='2030-01-02T03:04:05Z'\n"
        "export AWS_REGION='eu-west-1'\n"
        "export AWS_DEFAULT_REGION='eu-west-1'\n"
        "export MFA_EXPORT_PROFILE='dev'\n"
        "unset AWS_PROFILE\n"
        "unset AWS_DEFAULT_PROFILE\n"
        "unset AWS_SECURITY_TOKEN\n"
    )


def test_fish_exact():
    out = get_shell("fish").render([("A", "x\\'y"), ("B", None)])
    assert out == "set -gx A 'x\\\\\\'y'\nset -e -g B; or true\n"


def test_tcsh_one_line_and_bang():
    out = get_shell("tcsh").render([("A", "it's !1"), ("B", None)])
    assert out == "setenv A 'it'\\''s '\\!'1' ; unsetenv B\n"
    assert get_shell("csh").fail() == "false ;\n"


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "caf\u00e9", "\x1b[0m"])
def test_tcsh_refuses_what_backquotes_break(value):
    with pytest.raises(OutputError) as err:
        get_shell("tcsh").render([("A", value)])
    assert err.value.exit_code == 6


def test_powershell_exact_and_typographic_quotes():
    shell = get_shell("pwsh")
    assert shell.render([("A", "it's"), ("B", None)]) == (
        "$env:A = 'it''s'\nRemove-Item -LiteralPath Env:B -ErrorAction SilentlyContinue\n"
    )
    # All four typographic single quotes are quote characters to PowerShell's tokenizer.
    assert shell.quote("a\u2018b\u2019c\u201ad\u201be") == "'a\u2018\u2018b\u2019\u2019c\u201a\u201ad\u201b\u201be'"
    assert shell.fail() == "throw 'mfa-export failed; environment unchanged'\n"


@pytest.mark.parametrize("value", ["a\u2019; Remove-Item x; \u2018", "caf\u00e9", "a\nb"])
def test_powershell_output_stays_ascii(value):
    with pytest.raises(OutputError):
        get_shell("powershell").render([("A", value)])


def test_elvish_exact():
    assert get_shell("elvish").render([("A", "it's"), ("B", None)]) == "set-env A 'it''s'\nunset-env B\n"


def test_xonsh_exact():
    out = get_shell("xonsh").render([("A", "it's \u2019"), ("B", None)])
    assert out == "${'A'} = \"it's \\u2019\"\n${...}.pop('B', None)\n"


def test_nu_is_json_with_null_for_unset():
    out = get_shell("nu").render(PLAN)
    assert out.endswith("\n") and out.count("\n") == 1
    data = json.loads(out)
    assert list(data) == [name for name, _ in PLAN]
    assert data["AWS_SESSION_TOKEN"] == "tok$(x)`y`" and data["AWS_PROFILE"] is None
    assert get_shell("nu").fail() == ""


def test_cmd_exact_and_refusal():
    shell = get_shell("cmd")
    assert shell.render([("A", "AKIA/x+y=z.1:2-3_4"), ("B", None)]) == 'set "A=AKIA/x+y=z.1:2-3_4"\nset "B="\n'
    for value in ["a&b", "a%PATH%", 'a"b', "a b", "a^b"]:
        with pytest.raises(OutputError):
            shell.render([("A", value)])
    assert shell.fail() == "cmd /c exit 1\n"


@pytest.mark.parametrize("name", SHELL_NAMES)
def test_every_shell_refuses_nul(name):
    with pytest.raises(OutputError):
        get_shell(name).render([("A", "a\0b")])


@pytest.mark.parametrize("name", SHELL_NAMES)
def test_every_shell_renders_unset_plan_and_a_fail_statement(name):
    shell = get_shell(name)
    out = shell.render(unset_plan())
    assert out.endswith("\n")
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "MFA_EXPORT_PROFILE"):
        assert variable in out
    assert "AWS_REGION" not in out
    assert "exit" not in shell.fail().replace("cmd /c exit 1", "") and "return" not in shell.fail()


def test_plan_order_and_contents():
    assert [name for name, _ in PLAN] == [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "MFA_EXPORT_PROFILE",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SECURITY_TOKEN",
    ]
    without_region = export_plan(CREDS, None, None)
    assert "AWS_REGION" not in dict(without_region)
    assert dict(without_region)["MFA_EXPORT_PROFILE"] is None


@pytest.mark.parametrize(
    "given,expected",
    [
        ("-bash", "bash"),
        ("/usr/bin/zsh", "zsh"),
        ("ksh93", "ksh"),
        ("pwsh.exe", "pwsh"),
        ("C:\\Windows\\System32\\cmd.exe", "cmd"),
        ("nushell", "nu"),
        ("python", None),
    ],
)
def test_canonical_names(given, expected):
    assert canonical_name(given) == expected
