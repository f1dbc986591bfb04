import pytest

from mfa_export import inputs
from mfa_export.errors import ConfigError, UsageError


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
