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
