"""The human side: one-line errors, notices and the session summary, all on stderr.

rich is imported only when stderr is a terminal that shows styling; otherwise (pipes, CI, NO_COLOR)
the same words are written as plain text. Nothing here ever receives a secret.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from typing import Any, Protocol

    class Stream(Protocol):
        """What the summary writes to: a text stream, or cli's guard around one."""

        def write(self, text: str, /) -> int: ...
        def flush(self) -> None: ...
        def isatty(self) -> bool: ...

    from rich.console import Console

    from mfa_export.credentials import Credentials
    from mfa_export.shells.base import Shell


def _is_partition(text: str) -> bool:
    """[\\w-]+ without re: letters, digits, '_' and '-'."""
    return bool(text) and (text.strip("-_") == "" or text.replace("-", "").replace("_", "").isalnum())


def _arn_resource(arn: str | None, service: str, kind: str, ascii_account: bool) -> tuple[str, str] | None:
    """(account, what follows KIND/) of arn:PARTITION:SERVICE::ACCOUNT:KIND/..., or None. Read with
    split, not a pattern: every summary needs one, and re costs a cached run about 8 ms."""
    parts = (arn or "").split(":", 5)
    if (
        len(parts) == 6
        and parts[0] == "arn"
        and _is_partition(parts[1])
        and parts[2:4] == [service, ""]
        and len(parts[4]) == 12
        and parts[4].isdecimal()
        and (parts[4].isascii() or not ascii_account)
        and parts[5].startswith(kind + "/")
    ):
        return parts[4], parts[5][len(kind) + 1 :]
    return None


def describe_device(serial: str | None) -> str:
    """'account 123456789012, device doug' from an MFA ARN (arn:PARTITION:iam::ACCOUNT:mfa/[PATH/]NAME);
    the bare serial for hardware tokens."""
    found = _arn_resource(serial, "iam", "mfa", ascii_account=True)
    if found and found[1] and not found[1].endswith("/"):
        return f"account {found[0]}, device {found[1].rsplit('/', 1)[-1]}"
    return f"device {serial}"


def describe_role(identity: str | None) -> str:
    """'role admin in account 222222222222 (session mfa-export-doug)' from the AssumeRole answer
    (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION)."""
    found = _arn_resource(identity, "sts", "assumed-role", ascii_account=False)
    if found:
        role, _, session = found[1].partition("/")
        if role and session and "\n" not in session:
            return f"role {role} in account {found[0]} (session {session})"
    return f"role {identity}"


def relative(seconds: float) -> str:
    if seconds <= 0:
        return "expired"
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"in {int(seconds)}s"
    hours, minutes = divmod(minutes, 60)
    return f"in {hours}h {minutes:02d}m" if hours else f"in {minutes}m"


def local_time(moment: float | datetime) -> str:
    """The local time of Unix seconds (or an aware datetime), to the minute, with the zone."""
    import time

    from mfa_export.credentials import seconds

    return time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(seconds(moment)))


PROFILE_HEADERS = ("profile", "kind", "keys", "MFA device", "role", "session")
# Longer --list-profiles tables are plain even on a terminal: rich lays a table out cell by cell,
# which took 15 s for 15,000 profiles; the plain table is written in one piece (or as it was kept).
RICH_TABLE_ROWS = 200


def profile_cells(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A --list-profiles row as the table shows it. The session is the last cell: a plain table kept
    for later runs changes only that cell when a session is live (profiles.plain_listing)."""
    if row["seconds_left"]:
        session = relative(row["seconds_left"])
    elif row["kind"] == "session" and row["expires"]:
        session = f"stored, expires {row['expires']}"
    else:
        session = row["problem"] or "-"
    device = row["mfa_serial"] or (
        "discover" if row["kind"] in ("keys", "role", "process") and not row["problem"] else "-"
    )
    keys = row["keys"] if row["keys"] != "none" else "-"
    return (row["name"], row["kind"], keys, device, row["role_arn"] or "-", session)


def plain_table(table: list[tuple[str, ...]]) -> tuple[str, int]:
    """The table as plain text, a header line first, and the column where every line's last cell
    starts (the cells before it are padded, and the last one is never empty)."""
    widths = [max(map(len, column)) for column in zip(PROFILE_HEADERS, *table)]
    lines = (
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [PROFILE_HEADERS, *table]
    )
    return "\n".join(lines) + "\n", sum(widths[:-1]) + 2 * (len(widths) - 1)


class Reporter:
    def __init__(self, stream: Stream, quiet: bool = False, styled: bool = False, command: str = "mfa-export") -> None:
        self.stream = stream
        self.quiet = quiet
        self.command = command  # what the user typed: `mfa` when a wrapper called us
        self.styled = styled
        self._rich: Console | None = None

    @property
    def _console(self) -> Console | None:
        """rich's console, made (and rich imported, ~90 ms) when something styled is first written:
        a run that only writes a long plain table never pays for it."""
        if self.styled and self._rich is None:
            from rich.console import Console

            # Any writable text stream does for rich, which only writes and flushes it.
            self._rich = Console(file=self.stream, highlight=False, soft_wrap=True)  # type: ignore[arg-type]
        return self._rich

    @_console.setter
    def _console(self, console: Console | None) -> None:
        self._rich = console
        self.styled = console is not None

    @classmethod
    def for_stream(
        cls, stream: Stream, environ: Mapping[str, str], quiet: bool = False, command: str = "mfa-export"
    ) -> Reporter:
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        styled = tty and "NO_COLOR" not in environ and environ.get("TERM") != "dumb"
        return cls(stream, quiet=quiet, styled=styled, command=command)

    def _as_typed(self, message: str) -> str:
        """Advice names the command the user typed: "mfa 123456" after `mfa`, not "mfa-export 123456".
        Only the command word followed by a code or a flag changes: never the product's name ("another
        mfa-export run"), a path (…/mfa-export/), or `mfa-export --init`, which the wrapper does not do."""
        if self.command == "mfa-export" or "mfa-export" not in message:
            return message
        import re  # only for advice that names the command

        return re.sub(r"(?<![\w/.~=-])mfa-export(?= (?:\d|\.\.\.|-(?!-init)))", self.command, message)

    def _write(self, plain: str, markup: str | None = None) -> None:
        console = self._console
        if console is not None:
            console.print(markup if markup is not None else plain, markup=markup is not None)
        else:
            self.stream.write(plain + "\n")
            self.stream.flush()

    def _hanging(self, prefix: str, prefix_style: str, body: str, body_style: str = "") -> None:
        """One message on a terminal: ``prefix``, then ``body`` wrapped at word boundaries to the
        terminal's width, its further lines indented under the body's first word."""
        from rich.text import Text

        assert self._console is not None
        indent = len(prefix)
        width = max(self._console.width - indent, 20)
        for index, line in enumerate(Text(body, style=body_style).wrap(self._console, width)):
            head = Text(prefix, style=prefix_style) if index == 0 else Text(" " * indent)
            line.rstrip()
            self._console.print(head + line, soft_wrap=True)  # already wrapped: rich must not wrap again

    @staticmethod
    def _escape(text: str) -> str:
        from rich.markup import escape

        return escape(text)

    def error(self, message: str) -> None:
        message = self._as_typed(message)
        if self.styled:
            self._hanging("mfa-export: error: ", "bold red", message)
        else:
            self._write(f"mfa-export: error: {message}")

    def notice(self, message: str) -> None:
        if self.quiet:
            return
        message = self._as_typed(message)
        if self.styled:
            self._hanging("mfa-export: ", "cyan", message)
        else:
            self._write(f"mfa-export: {message}")

    def warning(self, message: str) -> None:
        message = self._as_typed(message)
        if self.styled:
            self._hanging("mfa-export: warning: ", "bold yellow", message)
        else:
            self._write(f"mfa-export: warning: {message}")

    def session(
        self,
        credentials: Credentials,
        serial: str | None,
        profile: str | None,
        region: str | None,
        cached: bool,
        now: float | datetime | None = None,
        identity: str | None = None,
        renewable_until: float | None = None,
    ) -> None:
        """Who, which device, where, until when: never a key."""
        if self.quiet:
            return
        import time

        from mfa_export.credentials import seconds

        now = time.time() if now is None else seconds(now)
        left = credentials.seconds_left(now)
        origin = "cached session" if cached else "new session"
        where = [describe_device(serial)]
        where.append(f"profile {profile}" if profile else "keys from the environment")
        if region:
            where.append(f"region {region}")
        first = "MFA session for " + ", ".join(where)
        if identity:
            first = f"{describe_role(identity)} via " + first
        second = f"{origin}, expires {local_time(credentials.expiration)} ({relative(left)})"
        if not self.styled:
            self._write(f"mfa-export: {first}\nmfa-export: {second}")
        else:
            self._hanging("✓ ", "green", first)
            self._hanging("  ", "", second, "dim")
        if renewable_until is not None and renewable_until - now > left + 60:
            # A role session of the 1 h the MFA session can sign is no fault: renewing it costs no code.
            if 0 < left < 3600:
                self.notice(f"renew it with --force: no MFA code needed until {local_time(renewable_until)}")
        elif 0 < left < 3600:
            self.warning(
                f"this session expires {relative(left)}; --force (or --force-mfa for a role) gets a "
                "fresh one with a new MFA code"
            )

    def eval_hint(self, shell: Shell) -> None:
        if not self.quiet:
            self.notice(f"stdout is a terminal, so nothing was applied; run: {shell.eval_hint()}")

    def profiles(self, rows: list[dict[str, Any]]) -> None:
        """The --list-profiles table (always shown: it is what was asked for, -q or not)."""
        table = [profile_cells(row) for row in rows]
        console = self._console if len(table) <= RICH_TABLE_ROWS else None
        if console is not None:
            from rich.table import Table

            view = Table(*PROFILE_HEADERS, box=None, header_style="bold")
            for line in table:
                view.add_row(*(self._escape(cell) for cell in line))
            console.print(view)
            return
        self.table(plain_table(table)[0])

    @property
    def plain(self) -> bool:
        """Whether output is plain text (no rich console): a table can then be written as it is kept."""
        return not self.styled

    def table(self, text: str) -> None:
        # One write: thousands of profiles are one table, not thousands of system calls.
        self.stream.write(text)
        self.stream.flush()
