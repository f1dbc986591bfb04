import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_export import inputs
from mfa_export.errors import ConfigError, MfaExportError, UsageError


@pytest.mark.parametrize("text,expected", [("123456", "123456"), (" 123 456\n", "123456"), ("000000", "000000")])
def test_codes(text, expected):
    assert inputs.parse_code(text) == expected


@pytest.mark.parametrize("text", ["12345", "1234567", "abcdef", "12345a", "", "١٢٣٤٥٦"])
def test_bad_codes(text):
    with pytest.raises(UsageError):
        inputs.parse_code(text)


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("900", 900),
        ("15m", 900),
        ("12h", 43200),
        ("1h30m", 5400),
        ("36h", 129600),
        ("90m30s", 5430),
        ("2H", 7200),
    ],
)
def test_durations(text, seconds):
    assert inputs.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["899", "14m", "129601", "37h", "", "h", "1.5h", "-900", "12 h", "1m1h"])
def test_bad_durations(text):
    with pytest.raises(UsageError):
        inputs.parse_duration(text)


@pytest.mark.parametrize(
    "serial", ["arn:aws:iam::123456789012:mfa/alice", "GAHT12345678", "arn:aws-us-gov:iam::123456789012:mfa/path/a.b@c"]
)
def test_serials(serial):
    assert inputs.check_serial(serial, "test") == serial


@pytest.mark.parametrize("serial", ["short", "has space in it", "x" * 257, "arn:aws:iam::1:mfa/ä-non-ascii"])
def test_bad_serials(serial):
    with pytest.raises(ConfigError):
        inputs.check_serial(serial, "test", ConfigError)


# The character-set checks of inputs.py against the patterns they replace (the rules STS and botocore
# state as regular expressions).
_PATTERNS = {
    "code": r"[0-9]{6}",
    "serial": r"(?a)[\w+=/:,.@-]{9,256}",
    "region": r"(?a)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?",
}
_ALPHABET = st.sampled_from(list("aZ09_+=/:,.@- \n²٣éx"))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(_ALPHABET, max_size=12), st.text(_ALPHABET, min_size=60, max_size=70), st.text(max_size=10)))
def test_character_checks_equal_the_patterns(text):
    import re

    from mfa_export import inputs

    def accepted(check):
        try:
            check()
        except MfaExportError:
            return False
        return True

    assert accepted(lambda: inputs.parse_code(text)) == bool(re.fullmatch(_PATTERNS["code"], "".join(text.split())))
    assert accepted(lambda: inputs.check_serial(text, "t")) == bool(re.fullmatch(_PATTERNS["serial"], text))
    assert accepted(lambda: inputs.check_region(text, "t")) == bool(re.fullmatch(_PATTERNS["region"], text))


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(st.sampled_from(list("0123hms ²٣x")), max_size=10),
        st.builds("{}h{}m{}s".format, st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    )
)
def test_spans_read_as_the_pattern_reads(text):
    """parse_span's reading of "1h30m" against the pattern it replaces (re costs every run ~8 ms)."""
    import re

    from mfa_export import inputs

    match = re.fullmatch(r"(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?", text)
    expected = {k: int(v) for k, v in match.groupdict().items() if v is not None} if match else {}
    assert inputs._span_parts(text) == expected


_ROLE_ALPHABET = st.sampled_from(list("aZ09_+=,.@/:- \n²٣é"))


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.builds(
            "arn:{}:iam::{}:role/{}".format,
            st.sampled_from(["aws", "aws-cn", "aws_x", "awz", "", "aws:x", "aws é"]),
            st.sampled_from(["123456789012", "12345678901", "١٢٣٤٥٦٧٨٩٠١٢", "x23456789012"]),
            st.one_of(st.text(_ROLE_ALPHABET, max_size=12), st.text(st.just("a"), min_size=510, max_size=514)),
        ),
        st.text(_ROLE_ALPHABET, max_size=70),
    )
)
def test_role_checks_equal_the_patterns(text):
    import re

    from mfa_export import inputs

    assert inputs.is_role_arn(text) == bool(
        re.fullmatch(r"(?a)arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", text)
    )
    assert inputs.is_session_name(text) == bool(re.fullmatch(r"(?a)[\w+=,.@-]{2,64}", text))


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=__import__("datetime").datetime(1970, 1, 1), max_value=__import__("datetime").datetime(9999, 12, 31)
    )
)
def test_status_reads_exported_expiries_as_datetime_does(moment):
    from datetime import timezone

    from mfa_export.credentials import format_utc
    from mfa_export.status import _epoch

    moment = moment.replace(microsecond=0, tzinfo=timezone.utc)
    assert _epoch(format_utc(moment)) == moment.timestamp()
