"""Which arguments make the `mfa` wrapper run mfa-export directly instead of applying its output."""

import pytest

from mfa_export.wrapper import needs_passthrough


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["--status"],
        ["--list-profiles"],
        ["--clear-cache"],
        ["--init", "bash"],
        ["--init=bash"],
        ["--write-profile", "x"],
        ["--write-profile=x"],
        ["--add", "doug"],
        ["--remove=doug"],
        ["123456", "--rotate", "doug"],
        ["123456", "--", "aws", "s3", "ls"],
        ["-f", "json"],
        ["--format", "dotenv"],
        ["--format=github"],
        ["-fjson"],
        ["-f"],
    ],
)
def test_passthrough(args):
    assert needs_passthrough(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["123456"],
        ["-p", "prod"],
        ["--unset"],
        ["-f", "shell"],
        ["--format=shell"],
        ["-fshell"],
        ["--force", "-q", "-d", "1h"],
    ],
)
def test_export(args):
    assert not needs_passthrough(args)


def test_the_wrappers_follow_the_mode_table():
    """Every mode's row says whether the wrappers run it directly: needs_passthrough agrees for each
    spelling of its flag (with a value where the flag takes one)."""
    from mfa_export.modes import MODES
    from mfa_export.options import OPTIONS, VALUED_FLAGS

    for mode in MODES:
        if mode.flag is None:
            continue
        flags = next((option.flags for option in OPTIONS if mode.flag in option.flags), (mode.flag,))
        for flag in flags:
            args = [flag, "x"] if flag in VALUED_FLAGS else [flag]
            assert needs_passthrough(args) == mode.passthrough, (mode.name, args)
