"""PowerShell cannot be installed here, so its output is proven with an independent parser: the
tree-sitter-powershell grammar must read every rendered output, hostile values included, and the
`mfa` wrapper as exactly the statements we mean, with exactly the values we quoted.

Where the grammar and PowerShell's documented tokenizer disagree: PowerShell treats U+2018..U+201B
as single quotes too (about_Quoting_Rules; the language specification's single-quote-character),
while the grammar knows only the ASCII one. Our output never holds them: the renderer keeps
PowerShell output printable ASCII and refuses anything else (test_non_ascii_is_refused), so no
rendered text depends on that difference.
"""

import string
import subprocess

import pytest
import tree_sitter_powershell
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_sitter import Language, Parser

from mfa_export.credentials import Credentials, parse_utc
from mfa_export.errors import OutputError
from mfa_export.exports import export_plan, unset_plan
from mfa_export.shells import get_shell
from tests.conftest import ROOT, cli_command

PARSER = Parser(Language(tree_sitter_powershell.language()))
PWSH = get_shell("pwsh")

# Nodes that only wrap one child on the way down an expression.
_WRAPPERS = {
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "pipeline_chain",
}


def parse(text):
    tree = PARSER.parse(text.encode("utf-8"))
    assert not tree.root_node.has_error, text
    return tree.root_node


def unwrap(node):
    while node.type in _WRAPPERS and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def verbatim(node):
    """The value of a single-quoted string: the quotes off, each doubled quote one."""
    node = unwrap(node)
    assert node.type == "string_literal", node.type
    [inner] = node.named_children
    assert inner.type == "verbatim_string_characters", inner.type
    text = inner.text.decode()
    assert text[0] == text[-1] == "'"
    body = text[1:-1]
    assert "'" not in body.replace("''", ""), body  # a lone quote would have ended the string
    return body.replace("''", "'")


def word(node):
    node = unwrap(node)
    if node.type == "string_literal":
        return verbatim(node)
    assert node.type in ("generic_token", "command_parameter", "command_name", "path_command_name"), node.type
    return node.text.decode()


def statements(text):
    """What a PowerShell host would run, as ("set", name, value) / ("run", [words]) / ("throw", value)."""
    root = parse(text)
    [body] = [c for c in root.named_children if c.type == "statement_list"]
    found = []
    for statement in body.named_children:
        if statement.type == "flow_control_statement":
            keyword, pipeline = statement.children
            assert keyword.type == "throw"
            found.append(("throw", verbatim(pipeline.named_children[0])))
            continue
        assert statement.type == "pipeline", statement.type
        [inner] = statement.named_children
        inner = unwrap(inner)
        if inner.type == "assignment_expression":
            left, operator, right = inner.named_children
            assert operator.text == b"="
            variable = unwrap(left.named_children[0])
            assert variable.type == "variable" and variable.text.startswith(b"$env:")
            [value] = right.named_children
            found.append(("set", variable.text.decode()[len("$env:") :], verbatim(value)))
        elif inner.type == "command":
            words = []
            for child in inner.named_children:
                if child.type == "command_invokation_operator":
                    words.append("&")
                elif child.type in ("command_name", "command_name_expr"):
                    words.append(word(child.named_children[0]) if child.named_child_count else word(child))
                elif child.type == "command_elements":
                    words += [word(e) for e in child.named_children if e.type != "command_argument_sep"]
            found.append(("run", words))
        else:
            raise AssertionError(f"unexpected statement {inner.type}: {inner.text!r}")
    return found


def expected(plan):
    result = []
    for name, value in plan:
        if value is None:
            result.append(("run", ["Remove-Item", "-LiteralPath", f"Env:{name}", "-ErrorAction", "SilentlyContinue"]))
        else:
            result.append(("set", name, value))
    return result


HOSTILE = [
    "a'b",
    "''",
    "'; Remove-Item -Recurse C:\\ ; '",
    "$(Remove-Item x)",
    "`whoami`",
    "${env:PATH}",
    '"double" $env:X',
    "@(1,2)",
    "a#b",
    "-join 'x'",
    "a|b&c;d",
    "\t tab",
    "$null",
    "'",
    "a''''b",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_one_assignment_each(value):
    credentials = Credentials("ASIAX" + "A" * 12, value, value, parse_utc("2030-01-01T00:00:00Z"))
    plan = export_plan(credentials, "eu-west-1", value)
    assert statements(PWSH.render(plan)) == expected(plan)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(string.printable.replace("\n", "").replace("\r", "").replace("\x0b", "").replace("\x0c", ""))
        ),
        min_size=1,
    )
)
def test_any_value_the_renderer_accepts_reads_back_exactly(value):
    plan = [("AWS_SESSION_TOKEN", value), ("AWS_PROFILE", None)]
    assert statements(PWSH.render(plan)) == expected(plan)


@pytest.mark.parametrize("value", ["a\u2019; Remove-Item x; \u2018", "caf\u00e9", "line\nbreak", "\u201b"])
def test_non_ascii_is_refused(value):
    with pytest.raises(OutputError):
        PWSH.render([("AWS_SESSION_TOKEN", value)])


def test_unset_and_fail_statement():
    assert statements(PWSH.render(unset_plan())) == expected(unset_plan())
    assert statements(PWSH.fail()) == [("throw", "mfa-export failed; environment unchanged")]
    assert statements(PWSH.wrapped_fail(4)) == [("throw", "mfa-export failed; environment unchanged")]


@pytest.mark.parametrize("args", [["--help"], ["-p", "it's; $(x)", "--", "terraform", "apply"], ["-f", "json"]])
def test_pass_through_runs_exactly_the_command(args):
    assert statements(PWSH.run_command(["mfa-export", *args])) == [("run", ["&", "mfa-export", *args])]


def test_the_cli_output_for_pwsh_parses(env, user):
    result = subprocess.run(
        cli_command() + [user.code(), "--shell", "pwsh"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    found = statements(result.stdout)
    assert [s[1] for s in found if s[0] == "set"][:4] == [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    ]
    wrapped = subprocess.run(
        cli_command() + ["--wrapped", "pwsh", "--help"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert statements(wrapped.stdout) == [("run", ["&", "mfa-export", "--help"])]


def _children(node, kind):
    return [c for c in node.named_children if c.type == kind]


@pytest.mark.parametrize("source", ["file", "init"])
def test_the_wrapper_evaluates_only_after_success(source):
    if source == "file":
        text = (ROOT / "shell" / "mfa-export.ps1").read_text()
    else:
        text = subprocess.run(
            cli_command() + ["--init", "pwsh"], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True
        ).stdout
    root = parse(text)
    [body] = _children(root, "statement_list")
    functions = [f for f in body.named_children if f.type == "function_statement"]
    [function] = [f for f in functions if _children(f, "function_name")[0].text == b"mfa"]
    [block] = _children(function, "script_block")
    [steps] = _children(_children(block, "script_block_body")[0], "statement_list")
    first, check, apply = steps.named_children
    # 1. $out = & mfa-export --wrapped pwsh:mfa @args | Out-String
    assignment = unwrap(first.named_children[0])
    assert assignment.type == "assignment_expression"
    assert assignment.named_children[0].text == b"$out"
    commands = _descendants(assignment.named_children[2], "command")
    assert [c.text.decode() for c in commands] == ["& mfa-export --wrapped pwsh:mfa @args ", "Out-String"]
    # 2. if ($LASTEXITCODE -ne 0) { ...; return }
    assert check.type == "if_statement"
    assert b"$LASTEXITCODE -ne 0" in check.named_children[0].text
    block_statements = _children(_children(check, "statement_block")[0], "statement_list")[0].named_children
    assert block_statements[-1].type == "flow_control_statement" and block_statements[-1].text == b"return"
    # 3. Invoke-Expression $out, and nothing else is evaluated
    assert apply.text.decode() == "Invoke-Expression $out"
    evaluations = [c for c in _descendants(function, "command") if c.named_children[0].text == b"Invoke-Expression"]
    assert len(evaluations) == 1


def _descendants(node, kind):
    found = []
    for child in node.named_children:
        if child.type == kind:
            found.append(child)
        else:
            found += _descendants(child, kind)
    return found
