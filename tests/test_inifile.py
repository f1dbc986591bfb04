"""The AWS files' INI dialect: our parser against configparser and botocore on generated files, and
edits that change nothing outside their section."""

import configparser
import shlex

import pytest
from botocore import configloader
from botocore.exceptions import ConfigParseError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfa_export.awsconfig import _split_words, profile_sections
from mfa_export.inifile import IniError, IniText

# Characters that stress the dialect: delimiters, comment and header marks, the whitespace str.strip
# removes but universal newlines do not split on, and non-ASCII.
_TEXT = st.text(
    alphabet=st.sampled_from(
        list("ab Z09_-=:#;[]\t\"'\\") + ["\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "é", "\u00a0"]
    ),
    max_size=8,
)
_INDENT = st.sampled_from(["", "", "", " ", "  ", "\t", "    "])
_KEYS = st.sampled_from(
    [
        "aws_access_key_id",
        "AWS_Access_Key_Id",
        "aws_secret_access_key",
        "region",
        "s3",
        "mfa_serial",
        "x",
        "Region",
        "role_arn",
    ]
)
_NAMES = st.sampled_from(
    [
        "default",
        "work",
        "mfa",
        " work",
        "profile work",
        "profile  work",
        "profilex y",
        "DEFAULT",
        "a]b",
        "pro file",
        "work ",
        "profile 'a b'",
    ]
)
_ENDINGS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])


@st.composite
def _line(draw):
    kind = draw(
        st.sampled_from(
            ["header", "option", "option", "option", "continuation", "comment", "blank", "nested", "bracket"]
        )
    )
    indent = draw(_INDENT)
    if kind == "bracket":  # a line that starts like a header and is none: a key, or an error
        return draw(st.sampled_from(["[x = 1", "[x", "[] = 2", "[ = 3", "[a] = b"]))
    if kind == "header":
        trailer = draw(st.sampled_from(["", " ; my keys", " # note", "  ", " x"]))
        return f"{indent}[{draw(_NAMES)}]{trailer}"
    if kind == "option":
        spaces = draw(st.sampled_from(["", " ", "   ", "\t"]))
        delimiter = draw(st.sampled_from(["=", "=", ":"]))
        return f"{indent}{draw(_KEYS)}{spaces}{delimiter}{spaces}{draw(_TEXT)}"
    if kind == "nested":
        return f"{draw(_KEYS)} =\n    {draw(_KEYS)} = {draw(_TEXT)}"
    if kind == "continuation":
        return f"{indent}      {draw(_TEXT)}"
    if kind == "comment":
        return f"{indent}{draw(st.sampled_from(['#', ';']))}{draw(_TEXT)}"
    return draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def ini_texts(draw):
    lines = draw(st.lists(_line(), max_size=25))
    start = [f"[{draw(_NAMES)}]"] if draw(st.booleans()) else []
    endings = [draw(_ENDINGS) for _ in start + lines]
    text = "".join(line + end for line, end in zip(start + lines, endings))
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


def botocore_view(tmp_path, text):
    path = tmp_path / "file"
    path.write_bytes(text.encode("utf-8"))
    try:
        return configloader.raw_config_parse(str(path))
    except ConfigParseError:
        return "error"


def ours(text):
    try:
        return IniText(text).as_botocore()
    except IniError:
        return "error"


FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=ini_texts())
def test_parse_equals_botocores(tmp_path, text):
    assert ours(text) == botocore_view(tmp_path, text)


@FAST
@given(
    text=ini_texts(), name=_NAMES, new=st.dictionaries(_KEYS, st.sampled_from(["v1", "ASIA2", "a=b:c#d"]), min_size=1)
)
def test_an_edit_changes_only_its_section(tmp_path, text, name, new):
    try:
        before = IniText(text)
    except IniError:
        return
    if name == "DEFAULT" or any(k.lower() != k for k in new) or "]" in name or name != name.strip():
        return  # names and keys the editor refuses before it gets here
    new = {k.lower(): v for k, v in new.items()}
    edited = before.with_values(name, new)
    try:
        after = IniText(edited)
    except IniError:
        # A new section can expose a bad nested value in [DEFAULT] (botocore checks DEFAULT's values only
        # through sections): the writer's own re-parse then refuses to write, as botocore would fail.
        assert botocore_view(tmp_path, edited) == "error"
        return
    assert set(after.sections) == set(before.sections) | {name}
    for other in before.sections:
        if other != name:
            assert after.values(other) == before.values(other)
    expected = dict(before.values(name) or {k: v.value for k, v in before.default_options.items()})
    expected.update(new)
    assert after.values(name) == expected
    # bytes outside the section are the same
    section = before.sections.get(name)
    if section is None:
        assert edited.startswith(text.rstrip("\r\n")) or not text.strip()
    else:
        head = "".join(before.lines[: section.header])
        tail = "".join(before.lines[section.end :])
        assert edited.startswith(head) and edited.endswith(tail)
    assert botocore_view(tmp_path, edited)[name] == dict(after.as_botocore()[name].items())


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[work] ; my keys\naws_access_key_id = A\n", {"work": {"aws_access_key_id": "A"}}),
        (
            "[work]\n  aws_access_key_id = A\n  aws_secret_access_key = B\n",
            {"work": {"aws_access_key_id": "A", "aws_secret_access_key": "B"}},
        ),
        (
            "[w]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\nregion = x\n",
            {"w": {"s3": {"max_concurrent_requests": "10", "addressing_style": "path"}, "region": "x"}},
        ),
        ("[w]\r\nKey : a\r\n   more\r\n", {"w": {"key": "a\nmore"}}),
        ("[ w ]\na=1\n", {" w ": {"a": "1"}}),
        ("[DEFAULT]\nregion = r\n[w]\na = 1\n", {"w": {"a": "1", "region": "r"}}),
    ],
)
def test_known_shapes(tmp_path, text, expected):
    assert ours(text) == expected == botocore_view(tmp_path, text)


@pytest.mark.parametrize(
    "text",
    [
        "[a]\nx = 1\n[a]\ny = 2\n",  # a section twice
        "[a]\nx = 1\nX = 2\n",  # a key twice, in any case
        "x = 1\n",  # no header
        "[a]\njust words\n",
        "\ufeff[a]\nx = 1\n",  # a byte-order mark: botocore reads it as text
        "[a]\ns3 =\n  no equals sign\n",
    ],
)
def test_files_botocore_refuses_are_refused(tmp_path, text):
    assert ours(text) == "error" == botocore_view(tmp_path, text)


def test_indented_key_is_replaced_not_continued():
    text = "[work]\n  aws_access_key_id = OLD\n  aws_session_token = t\n    more-token\n# note\n[x]\na = 1\n"
    edited = IniText(text).with_values("work", {"aws_session_token": "NEW", "x_security_token_expires": "E"})
    assert edited == (
        "[work]\n  aws_access_key_id = OLD\n  aws_session_token = NEW\n"
        "  x_security_token_expires = E\n# note\n[x]\na = 1\n"
    )
    parser = configparser.RawConfigParser()
    parser.read_string(edited)
    assert dict(parser["work"]) == {
        "aws_access_key_id": "OLD",
        "aws_session_token": "NEW",
        "x_security_token_expires": "E",
    }


@FAST
@given(text=ini_texts())
def test_profiles_map_like_botocores(tmp_path, text):
    path = tmp_path / "config"
    path.write_bytes(text.encode("utf-8"))
    try:
        expected = configloader.load_config(str(path))["profiles"]
    except ConfigParseError:
        return
    ini = IniText(text)
    assert {name: ini.as_botocore()[section] for name, section in profile_sections(ini).items()} == expected


@given(st.text(alphabet=st.sampled_from(list("ab \t\r\n'\"\\x")), max_size=12))
def test_profile_words_split_like_shlex(text):
    try:
        expected = shlex.split(text)
    except ValueError:
        expected = None
    assert _split_words(text) == expected


@settings(max_examples=600, deadline=None)
@given(text=ini_texts())
def test_the_lazy_index_reads_each_section_as_the_whole_parse(text):
    """IniIndex parses only the sections asked for; each reads as in the whole file. It may miss a
    broken line elsewhere (that is its point), but never reads a section differently."""
    from mfa_export.inifile import IniIndex

    try:
        whole = IniText(text)
    except IniError:
        whole = None
    try:
        index = IniIndex(text)
    except IniError:
        assert whole is None  # it parsed the whole file, and failed as the whole parse does
        return
    if whole is None:
        # botocore refuses the whole file; read lazily, a section is read or refused, never a crash.
        try:
            names = list(index.sections)
        except IniError:
            return
        for name in names:
            try:
                index.values(name)
            except IniError:
                continue
        return
    assert list(index.sections) == list(whole.sections)
    for name in whole.sections:
        assert index.values(name) == whole.values(name)
    assert index.values("no such section") is None


def test_the_lazy_index_parses_whole_what_a_scan_could_misread():
    from mfa_export.inifile import IniIndex

    for text in (
        "[a]\nx = 1\n  [b]\ny = 2\n",  # an indented [ line: a continuation here
        "[DEFAULT]\nregion = x\n[a]\n",
        "\ufeff[a]\nx = 1\n",
    ):
        index = None
        try:
            index = IniIndex(text)
        except IniError:
            continue
        assert index._full is not None, text
    assert IniIndex("# c\n[a]\nx = 1\n\n[b]\r\ny = 2\r\n")._full is None
    twice = IniIndex("[a]\nx = 1\n[b]\n[a] ; again\n")
    assert twice.values("b") == {}
    with pytest.raises(IniError, match="twice"):
        twice.values("a")  # a section read lazily fails as botocore fails on it


@FAST
@given(text=ini_texts(), extra=st.sampled_from(["work", "a b", "x", "default", "y"]))
def test_profile_lookups_on_the_lazy_index_equal_the_whole_map(tmp_path, text, extra):
    from mfa_export.awsconfig import AwsFiles
    from mfa_export.errors import ConfigError

    path = tmp_path / "config"
    path.write_bytes(text.encode("utf-8"))
    try:
        whole = profile_sections(IniText(text))
    except IniError:
        return
    files = AwsFiles({"AWS_CONFIG_FILE": str(path), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    for name in [*whole, extra]:
        try:
            assert files.config_section(name) == whole.get(name), name
            assert files.config(name) == (IniText(text).values(whole[name]) if name in whole else {})
        except ConfigError:
            pytest.fail(f"the lazy read refused what the whole parse read: {name!r}")
    assert sorted(profile_sections(files.config_ini)) == sorted(whole)


def test_a_bracket_line_that_is_no_header_ends_no_section():
    from mfa_export.inifile import IniIndex

    text = "[a]\nx = 1\n[x = 1\n[] = 2\ny = 2\n[b]\nz = 3\n"
    index = IniIndex(text)
    assert index._full is None and list(index.sections) == ["a", "b"]
    assert index.values("a") == IniText(text).values("a") == {"x": "1", "[x": "1", "[]": "2", "y": "2"}
    assert IniIndex("[a]\r\nx = 1\r[b]\ny = 2").values("b") == {"y": "2"}  # universal newlines
