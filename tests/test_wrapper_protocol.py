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
