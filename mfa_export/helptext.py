"""`mfa-export --help`, written from options.py without importing argparse.

argparse, with the re and gettext it imports and the parser it builds, costs --help about 25 ms,
more than the rest of the run. This module lays the same options out as argparse's HelpFormatter
does for this command line (RawDescriptionHelpFormatter: a fixed usage line, the description and the
epilog as written, each group's options in two columns), on the Python versions whose argparse it
has been compared with, line for line at every width (tests/test_helptext.py). Elsewhere, or for an
option it does not know how to show, render() returns None and argparse writes the help.

One difference is chosen: a help text is wrapped at spaces only. argparse's textwrap also breaks
inside a hyphenated word ("6-" / "digit") at some widths; the test compares with that turned off.
"""

from __future__ import annotations

import sys

from mfa_export.options import DESCRIPTION, EPILOG, PROG, SUPPRESS, USAGE, columns, declare

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# argparse's layout of these parts is the same from 3.9 through 3.13 but for the two named below.
VERIFIED = ((3, 9), (3, 10), (3, 11), (3, 12), (3, 13))
_NO_VALUE = ("store_true", "store_false", "help", "version")  # options that take no argument
_DEFAULT_HELP = {"help": "show this help message and exit", "version": "show program's version number and exit"}


def render(width: int | None = None) -> str | None:
    """The help text for a terminal ``width`` columns wide (default: as argparse finds it), or None
    where argparse must write it."""
    if sys.version_info[:2] not in VERIFIED:
        return None
    width = columns() - 2 if width is None else width
    # argparse's own group comes first: "options" (3.10+) or "optional arguments", with -h.
    first = "options" if sys.version_info >= (3, 10) else "optional arguments"
    groups: list[tuple[str, list[tuple[str, str]]]] = [(first, [("-h, --help", _DEFAULT_HELP["help"])])]
    unknown: list[str] = []

    def group(title: str) -> Callable[..., object]:
        rows: list[tuple[str, str]] = []
        groups.append((title, rows))

        def option(*flags: str, **keywords: object) -> None:
            help_text = keywords.get("help", _DEFAULT_HELP.get(str(keywords.get("action"))))
            if help_text == SUPPRESS:
                return
            invocation = _invocation(flags, keywords)
            if (
                invocation is None
                or not isinstance(help_text, str)
                or not help_text.strip()
                or "%" in help_text
                or not help_text.isascii()
            ):
                unknown.append(flags[0])  # argparse would expand or show it in ways not copied here
                return
            rows.append((invocation, help_text))

        return option

    declare(group)
    if unknown:
        return None
    return _layout(width, groups)


def _invocation(flags: tuple[str, ...], keywords: dict[str, object]) -> str | None:
    """HelpFormatter._format_action_invocation, for what options.py declares."""
    metavar = keywords.get("metavar")
    if not flags[0].startswith("-"):  # a positional: its metavar
        return metavar if isinstance(metavar, str) and keywords.get("nargs") in (None, "?") else None
    if keywords.get("action") in _NO_VALUE:
        return ", ".join(flags)
    if (
        not isinstance(metavar, str)
        or keywords.get("nargs") is not None
        or keywords.get("action") not in (None, "store")
    ):
        return None
    if sys.version_info >= (3, 13):
        return ", ".join(flags) + " " + metavar  # -s, --serial-number SN
    return ", ".join(f"{flag} {metavar}" for flag in flags)  # -s SN, --serial-number SN


def _layout(width: int, groups: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """HelpFormatter.format_help: usage, description, each group, epilog."""
    indent = 2  # of an option inside its group
    max_help_position = min(24, max(width - 20, indent * 2))
    longest = max(len(invocation) + indent for _, rows in groups for invocation, _ in rows)
    help_position = min(longest + 2, max_help_position)
    help_width = max(width - help_position, 11)
    action_width = help_position - indent - 2
    parts = ["usage: " + USAGE % {"prog": PROG} + "\n\n", DESCRIPTION + "\n\n"]
    for title, rows in groups:
        if not rows:
            continue
        parts.append(f"\n{title}:\n")
        for invocation, help_text in rows:
            if len(invocation) <= action_width:
                parts.append(" " * indent + invocation.ljust(action_width) + "  ")
                first_indent = 0
            else:
                parts.append(" " * indent + invocation + "\n")
                first_indent = help_position
            lines = _wrap(" ".join(help_text.split()), help_width)
            parts.append(" " * first_indent + lines[0] + "\n")
            parts += [" " * help_position + line + "\n" for line in lines[1:]]
        parts.append("\n")
    parts.append(EPILOG + "\n\n")
    text = "".join(parts)
    while "\n\n\n" in text:  # argparse's _long_break_matcher: \n\n\n+ -> \n\n
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """textwrap.wrap(text, width, break_on_hyphens=False) for single-spaced text: greedy lines,
    spaces dropped at line ends and starts, a word longer than a line cut."""
    chunks: list[str] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            chunks.append(" ")
        chunks.append(word)
    chunks.reverse()
    lines: list[str] = []
    while chunks:
        line: list[str] = []
        length = 0
        if lines and chunks[-1] == " ":
            chunks.pop()
        while chunks and length + len(chunks[-1]) <= width:
            length += len(chunks[-1])
            line.append(chunks.pop())
        if chunks and len(chunks[-1]) > width:
            left = width - length if width >= 1 else 1
            line.append(chunks[-1][:left])
            chunks[-1] = chunks[-1][left:]
        if line and not line[-1].strip():
            line.pop()
        if line:
            lines.append("".join(line))
    return lines
