"""The stderr report: plain or styled, never a secret, with a hint when stdout is a terminal."""

import io
from datetime import datetime, timedelta, timezone

import pexpect
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_export.credentials import Credentials
from mfa_export.summary import Reporter, describe_device, describe_role, relative
from tests.conftest import cli_command

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "seconds,text",
    [
        (43080, "in 11h 58m"),
        (3600, "in 1h 00m"),
        (59 * 60 + 59, "in 59m"),
        (42, "in 42s"),
        (0, "expired"),
        (-5, "expired"),
    ],
)
def test_relative(seconds, text):
    assert relative(seconds) == text


def test_describe_device():
    assert describe_device("arn:aws:iam::123456789012:mfa/doug") == "account 123456789012, device doug"
    assert describe_device("arn:aws-cn:iam::123456789012:mfa/team/doug") == "account 123456789012, device doug"
    assert describe_device("GAHT12345678") == "device GAHT12345678"


def creds(left):
    return Credentials("ASIAKEY", "SECRETVALUE", "TOKENVALUE", NOW + timedelta(seconds=left))


def test_plain_summary_and_near_expiry_warning():
    stream = io.StringIO()
    Reporter(stream).session(
        creds(1800), "arn:aws:iam::123456789012:mfa/doug", "dev", "eu-west-1", cached=False, now=NOW
    )
    text = stream.getvalue()
    assert "account 123456789012, device doug, profile dev, region eu-west-1" in text
    assert "new session" in text and "(in 30m)" in text
    assert "warning: this session expires in 30m" in text
    assert "SECRETVALUE" not in text and "TOKENVALUE" not in text and "\x1b[" not in text


def test_quiet_reporter_still_reports_errors():
    stream = io.StringIO()
    reporter = Reporter(stream, quiet=True)
    reporter.session(creds(40000), "GAHT12345678", None, None, cached=True, now=NOW)
    reporter.notice("hello")
    reporter.error("broken; do this")
    assert stream.getvalue() == "mfa-export: error: broken; do this\n"


def test_no_color_and_non_tty_are_plain():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert Reporter.for_stream(Tty(), {"NO_COLOR": "1"})._console is None
    assert Reporter.for_stream(io.StringIO(), {})._console is None
    assert Reporter.for_stream(Tty(), {})._console is not None


def _spawn(args, env):
    child = pexpect.spawn(cli_command()[0], args, env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    return child


def test_on_a_terminal_the_summary_is_styled_and_hints_at_eval(env, user):
    child = _spawn([user.code(), "--shell", "bash"], dict(env, TERM="xterm-256color"))
    assert child.exitstatus == 0
    assert "\x1b[" in child.before
    import re

    # words as shown, whatever the terminal's width wrapped
    shown = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", child.before).split())
    assert 'stdout is a terminal, so nothing was applied; run: eval "$(mfa-export CODE)"' in shown


def test_no_color_on_a_terminal(env, user):
    child = _spawn([user.code(), "--shell", "fish"], dict(env, TERM="xterm-256color", NO_COLOR="1"))
    assert child.exitstatus == 0
    assert "\x1b[" not in child.before
    assert "run: mfa-export CODE | source" in child.before


def _render(width, **session):
    import io
    from datetime import datetime, timedelta, timezone

    from rich.console import Console

    from mfa_export.credentials import Credentials
    from mfa_export.summary import Reporter

    out = io.StringIO()
    reporter = Reporter(out, styled=True)
    reporter._console = Console(file=out, width=width, color_system=None, highlight=False)
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    left = session.pop("left", timedelta(hours=11, minutes=59, seconds=30))
    credentials = Credentials("ASIAX", "s", "t", now + left)
    reporter.session(credentials, "arn:aws:iam::123456789012:mfa/doug", "default", "eu-west-1", now=now, **session)
    return out.getvalue()


@pytest.fixture
def utc(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_readme_shows_what_a_terminal_shows(utc):
    import re

    from tests.realshells import ROOT

    readme = (ROOT / "README.md").read_text()
    sample = re.search(r"stderr tells you what happened; stdout went to `eval`:\n\n```\n(.*?)```", readme, re.S)
    assert sample.group(1) == _render(80, cached=False)


@pytest.mark.parametrize("width", [60, 72, 80, 100])
def test_the_summary_wraps_at_word_boundaries_with_a_hanging_indent(utc, width):
    from datetime import timedelta

    text = _render(
        width,
        cached=True,
        left=timedelta(minutes=40),
        identity="arn:aws:sts::222222222222:assumed-role/admin/mfa-export-doug",
    )
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), lines
    words = set(" ".join(line.strip() for line in lines).split())
    for word in ("--force", "account", "123456789012,", "doug,", "region", "eu-west-1", "(in", "40m)"):
        assert word in words or any(word in line for line in lines), (word, lines)
    # every line after a message's first starts under its first word
    assert all(line.startswith(("✓ ", "  ", "mfa-export: ", " ")) for line in lines)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.builds(
            "arn:{}:iam::{}:mfa/{}".format,
            st.sampled_from(["aws", "aws-cn", "aws-us-gov", "", "a_b"]),
            st.sampled_from(["123456789012", "12345678901", "١٢٣٤٥٦٧٨٩٠١٢", "x23456789012"]),
            st.sampled_from(["doug", "team/doug", "a/b/c", "", "doug/", "a:b"]),
        ),
        st.text(st.sampled_from(list("arn:iamf/-_1x2")), max_size=30),
    )
)
def test_describe_device_reads_what_the_pattern_reads(serial):
    """The pattern it replaces, with ASCII digits for the account (AWS account ids are)."""
    import re

    match = re.fullmatch(r"arn:[\w-]+:iam::(?P<account>[0-9]{12}):mfa/(?:.*/)?(?P<name>[^/]+)", serial)
    expected = f"account {match['account']}, device {match['name']}" if match else f"device {serial}"
    assert describe_device(serial) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.builds(
            "arn:{}:sts::{}:assumed-role/{}".format,
            st.sampled_from(["aws", "aws-cn", "-", "", "a_b", "a b", "é"]),
            st.sampled_from(["222222222222", "22222222222", "٢٢٢٢٢٢٢٢٢٢٢٢", "x22222222222"]),
            st.text(st.sampled_from(list("ab/:\n\r -")), max_size=12),
        ),
        st.text(st.sampled_from(list("arn:stsumed-rol/_1x2\n")), max_size=40),
    )
)
def test_describe_role_reads_what_the_pattern_reads(identity):
    """The pattern it replaces (re costs a cached run of a role profile about 8 ms)."""
    import re

    match = re.fullmatch(r"arn:[\w-]+:sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/(?P<session>.+)", identity)
    expected = (
        f"role {match['role']} in account {match['account']} (session {match['session']})"
        if match
        else f"role {identity}"
    )
    assert describe_role(identity) == expected


@pytest.mark.parametrize("count", [200, 201])
def test_a_long_profile_table_is_plain_even_on_a_terminal(count):
    """rich lays a table out cell by cell (15 s for 15,000 profiles): past RICH_TABLE_ROWS rows the
    plain table is written, the same cells in the same columns."""
    import io

    from rich.console import Console

    from mfa_export.summary import RICH_TABLE_ROWS, Reporter, plain_table, profile_cells

    assert RICH_TABLE_ROWS == 200
    rows = [
        {"name": f"p{n}", "kind": "keys", "keys": "file", "mfa_serial": None, "role_arn": None, "expires": None,
             "seconds_left": None, "problem": None}
        for n in range(count)
    ]  # fmt: skip
    out = io.StringIO()
    reporter = Reporter(out, styled=True)
    reporter._console = Console(file=out, width=120, force_terminal=True, highlight=False)
    reporter.profiles(rows)
    plain = plain_table([profile_cells(row) for row in rows])[0]
    assert (out.getvalue() == plain) == (count > 200)
    assert ("\x1b[" in out.getvalue()) == (count <= 200)  # rich's bold header
