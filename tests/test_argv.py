"""argv.quick_parse() must read every command line it accepts exactly as argparse does, and leave the
rest to argparse (None)."""

import argparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_export.argv import CHOICES, DEFAULTS, SWITCHES, VALUED, quick_parse
from mfa_export.cli import build_parser
from mfa_export.errors import UsageError


def argparse_view(argv):
    try:
        return vars(build_parser().parse_args(argv))
    except (UsageError, SystemExit):
        return None


def test_the_tables_are_argparses_options():
    parser = build_parser()
    assert vars(parser.parse_args([])) == DEFAULTS
    flags = {}
    for action in parser._actions:
        for flag in action.option_strings:
            flags[flag] = action
    quick = set(SWITCHES) | set(VALUED)
    assert quick == set(flags) - {"-h", "--help", "--version"}
    for flag in SWITCHES:
        assert isinstance(flags[flag], argparse._StoreTrueAction) and flags[flag].dest == SWITCHES[flag]
    for flag in VALUED:
        action = flags[flag]
        assert action.nargs is None and action.dest == VALUED[flag]
        assert tuple(action.choices or ()) == CHOICES.get(action.dest, ())


values = st.one_of(
    st.sampled_from(["prod", "", "-", "-x", "--force", "123456", "json", "shell", "a b", "=", "-p", "profiles"]),
    st.text(max_size=8),
)
tokens = st.one_of(
    st.sampled_from(sorted(SWITCHES)),
    st.tuples(st.sampled_from(sorted(VALUED)), values).map(list),
    st.tuples(st.sampled_from(sorted(f for f in VALUED if f.startswith("--"))), values).map(lambda t: f"{t[0]}={t[1]}"),
    st.sampled_from(["123456", "-", "12345", "", "-qf", "-pprod", "--prof", "--he", "--force=1", "-1", "x"]),
)


def flatten(parts):
    out = []
    for part in parts:
        out.extend(part if isinstance(part, list) else [part])
    return out


@settings(max_examples=600, deadline=None)
@given(st.lists(tokens, max_size=6).map(flatten))
def test_quick_parse_agrees_with_argparse(argv):
    quick = quick_parse(argv)
    if quick is not None:
        assert vars(quick) == argparse_view(argv), argv


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["123456"],
        ["--wrapped-not", "x"][1:],
        ["-p", "prod", "--shell", "bash", "-q"],
        ["123456", "--shell=fish", "--profile=", "-d", "1h"],
        ["-f", "json", "--min-ttl", "5m", "--no-cache", "--debug"],
    ],
)
def test_plain_command_lines_take_the_quick_path(argv):
    assert quick_parse(argv) is not None
    assert vars(quick_parse(argv)) == argparse_view(argv)


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["-h"], ["--version"], ["-qf", "json"], ["-pprod"], ["--prof", "x"], ["1", "2"], ["-f", "xml"]],
)
def test_the_rest_goes_to_argparse(argv):
    assert quick_parse(argv) is None
