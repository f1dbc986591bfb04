"""helptext.render() writes what argparse writes for --help, at every width, on every Python
version it is enabled for that is on this machine (the running one always)."""

import glob
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# Run by each interpreter: argparse's help (wrapping at spaces only, as render() does) and
# render()'s, for every width from 1 to 250 columns; prints the widths where they differ.
COMPARE = r"""
import argparse, sys, textwrap
from mfa_export import helptext, options

class NoHyphenBreaks(argparse.RawDescriptionHelpFormatter):
    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)

parser = options.build_parser()
differ = []
for width in range(1, 251):
    parser.formatter_class = lambda prog, width=width: NoHyphenBreaks(prog, width=width)
    expected = parser.format_help()
    got = helptext.render(width)
    if got != expected:
        differ.append(width)
        if len(differ) == 1:
            sys.stderr.write(f"width {width}:\n--- argparse\n{expected}\n--- render\n{got}\n")
print("differ:", differ)
"""


def _interpreters():
    found = {sys.version_info[:2]: sys.executable}
    for path in sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3.*")) + sorted(
        glob.glob("/usr/bin/python3.[0-9]*")
    ):
        name = os.path.basename(path)[len("python") :]
        try:
            version = tuple(int(part) for part in name.split("."))
        except ValueError:
            continue
        if len(version) == 2 and version >= (3, 9) and os.access(path, os.X_OK):
            found.setdefault(version, path)
    return sorted(found.items())


@pytest.mark.parametrize(
    "version,python", _interpreters(), ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple) else ""
)
def test_render_equals_argparse_at_every_width(version, python):
    from mfa_export.helptext import VERIFIED

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([python, "-S", "-c", COMPARE], capture_output=True, text=True, env=env, cwd=ROOT)
    if version not in VERIFIED:
        assert "differ: [" in result.stdout  # render() is off there: it returns None at every width
        return
    assert result.stdout.strip() == "differ: []", result.stderr[-3000:]


def test_the_running_python_is_among_the_verified():
    """Where CI runs, --help is written without argparse (the benchmark's --help row)."""
    from mfa_export.helptext import VERIFIED, render

    assert sys.version_info[:2] in VERIFIED and render(78) is not None


def test_help_on_the_command_line_is_the_rendered_text(tmp_path):
    from tests.conftest import cli_command

    env = dict(os.environ, COLUMNS="80")
    shown = subprocess.run([*cli_command(), "--help"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and shown.stderr == ""
    from mfa_export.helptext import render

    assert shown.stdout == render(78)
    # anything but a lone --help is argparse's, and the same text
    wrapped = subprocess.run([*cli_command(), "--help", "-q"], capture_output=True, text=True, env=env)
    assert wrapped.returncode == 0 and wrapped.stdout == shown.stdout  # (no hyphenated word is split at 78)
