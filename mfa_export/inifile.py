"""The INI dialect of the AWS files, read and edited exactly as botocore reads it.

botocore parses ~/.aws/config and ~/.aws/credentials with ``configparser.RawConfigParser()`` at its
defaults (``=`` or ``:`` delimiters, whole-line ``#``/``;`` comments, indented continuation lines,
strict: no duplicate sections or keys, a ``[DEFAULT]`` section merged into every other one), read
through ``open()`` with universal newlines, and then turns a value whose first line is empty into a
nested section (``s3 =`` followed by indented ``key = value`` lines). IniText follows that
algorithm line by line, with configparser's own patterns for headers, keys and indentation (they
differ between Python versions: 3.9 ends a header at its first "]"), remembering where each section
and key stands, so that an edit can replace or add keys in one section and leave every other byte of
the file alone. IniIndex reads a file with it one section at a time.

The property tests compare this parser with configparser and botocore on generated files.
"""

from __future__ import annotations

import io
from configparser import RawConfigParser

COMMENT_PREFIXES = ("#", ";")
DEFAULT_SECTION = "DEFAULT"


class IniError(ValueError):
    """The text is not in the dialect: botocore (and so every AWS tool) would refuse the whole file."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message if lineno is None else f"line {lineno}: {message}")
        self.lineno = lineno


class Option:
    """One key: its line, the lines its value continues on, and the value as configparser joins it."""

    __slots__ = ("end", "indent", "key", "parts", "start")

    def __init__(self, key: str, start: int, indent: int, first: str) -> None:
        self.key = key  # as written (stripped), before configparser lower-cases it
        self.start = start  # index of the key's line
        self.end = start + 1  # index after its last continuation line
        self.indent = indent
        self.parts = [first]

    @property
    def value(self) -> str:
        return "\n".join(self.parts).rstrip()


class Section:
    __slots__ = ("end", "header", "name", "options")

    def __init__(self, name: str, header: int) -> None:
        self.name = name
        self.header = header  # index of the [name] line
        self.end = header + 1  # index after the section's last line (next header or end of file)
        self.options: dict[str, Option] = {}  # lower-cased key -> Option, in file order


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where open()'s universal newlines split: \\n, \\r\\n and \\r only."""
    return io.StringIO(text, newline="").readlines()


_SECTION = RawConfigParser.SECTCRE  # configparser's own patterns, as botocore's RawConfigParser() uses them
_OPTION = RawConfigParser.OPTCRE
_NONSPACE = RawConfigParser.NONSPACECRE


def _header(value: str) -> str | None:
    """The section name of a stripped line that configparser reads as a header, else None."""
    if value[:1] != "[":
        return None
    found = _SECTION.match(value)
    return found.group("header") if found else None


class IniText:
    """A parsed file. ``lines`` keep their endings, so ``"".join(lines)`` is the text itself."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.sections: dict[str, Section] = {}  # name -> Section, in file order; [DEFAULT] is not among them
        self.default_options: dict[str, Option] = {}  # the keys of [DEFAULT] (which may be opened more than once)
        self._parse()

    def _parse(self) -> None:
        # The loop is configparser.RawConfigParser._read (Python 3.9-3.13), with positions kept.
        section = None  # the Section being read; None before the first header
        options = None  # its options dict (default_options inside [DEFAULT])
        option = None  # the Option that continuation lines extend
        indent_level = 0
        added = set()
        for index, line in enumerate(self.lines):
            lineno = index + 1
            stripped = line.strip()
            if not stripped or stripped.startswith(COMMENT_PREFIXES):
                # A blank line (not a comment) is part of the current value, if more of it follows.
                if not stripped and option is not None:
                    option.parts.append("")
                continue
            first = _NONSPACE.search(line)
            indent = first.start() if first else 0
            if option is not None and indent > indent_level:
                option.parts.append(stripped)
                option.end = index + 1
                continue
            indent_level = indent
            name = _header(stripped)
            if name is not None:
                if section is not None:
                    section.end = index
                if name == DEFAULT_SECTION:
                    section, options = None, self.default_options
                elif name in self.sections:
                    raise IniError(f"section [{name}] appears twice", lineno)
                else:
                    section = self.sections[name] = Section(name, index)
                    options = section.options
                option = None
                continue
            if options is None:
                raise IniError("a key comes before any [section] header", lineno)
            found = _OPTION.match(stripped)
            key = found.group("option").rstrip() if found else ""
            if found is None or not key:
                raise IniError(f"not a 'key = value' line or a [section] header: {stripped[:40]!r}", lineno)
            lowered = key.lower()
            where = (DEFAULT_SECTION if section is None else section.name, lowered)
            if where in added:
                raise IniError(f"key {lowered!r} appears twice in section [{where[0]}]", lineno)
            added.add(where)
            option = options[lowered] = Option(key, index, indent, found.group("value").strip())
        if section is not None:
            section.end = len(self.lines)
        self._check_nested()

    def _check_nested(self) -> None:
        # botocore refuses the whole file when a nested section holds a line without "=". It parses
        # only the values it reads: a section's own, and [DEFAULT]'s where a section does not set
        # the same key (so a bad nested value in [DEFAULT] that every section overrides is harmless).
        for section in self.sections.values():
            for option in {**self.default_options, **section.options}.values():
                value = option.value
                if value.startswith("\n"):
                    nested(value, option.start + 1)

    def values(self, name: str) -> dict[str, str] | None:
        """{key: value} of section ``name`` as botocore sees it ([DEFAULT]'s keys included), or None."""
        section = self.sections.get(name)
        if section is None:
            return None
        merged = {key: option.value for key, option in self.default_options.items()}
        merged.update((key, option.value) for key, option in section.options.items())
        return merged

    def as_botocore(self) -> dict[str, dict[str, str | dict[str, str]]]:
        """What botocore.configloader.raw_config_parse returns for this text."""
        result: dict[str, dict[str, str | dict[str, str]]] = {}
        for name in self.sections:
            values = self.values(name) or {}
            result[name] = {k: nested(v) if v.startswith("\n") else v for k, v in values.items()}
        return result

    # -- editing --------------------------------------------------------------------------------

    def newline(self) -> str:
        first = self.lines[0] if self.lines else "\n"
        ending = first[len(first.rstrip("\r\n")) :]
        return ending or "\n"

    def with_values(self, name: str, values: dict[str, str], header: str | None = None) -> str:
        """The text with ``values`` set in section ``name`` (appended as ``header`` when missing).

        A key the section has keeps its line's indentation and spelling and loses its old
        continuation lines; a key it lacks goes after its last key. Comments, blank lines and
        every other section stay byte for byte.
        """
        nl = self.newline()
        lines = list(self.lines)
        section = self.sections.get(name)
        if section is None:
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += nl
            if lines and lines[-1].strip():
                lines.append(nl)
            lines.append(f"{header or '[' + name + ']'}{nl}")
            lines += [f"{key} = {value}{nl}" for key, value in values.items()]
            return "".join(lines)
        pending = dict(values)
        replaced = {}
        for option in section.options.values():
            if option.key.lower() in pending:
                old = lines[option.start]
                ending = old[len(old.rstrip("\r\n")) :] or nl
                value = pending.pop(option.key.lower())
                replaced[option.start] = (option.end, f"{old[: option.indent]}{option.key} = {value}{ending}")
        if section.options:
            last = list(section.options.values())[-1]
            at, indent = last.end, lines[last.start][: last.indent]
        else:
            at, indent = section.header + 1, self._indent_after(section)
        added = [f"{indent}{key} = {value}{nl}" for key, value in pending.items()]
        out = lines[: section.header + 1]
        if not out[-1].endswith(("\n", "\r")):
            out[-1] += nl
        index = section.header + 1
        while index < section.end:
            if index == at:
                out += added
                added = []
            if index in replaced:
                end, text = replaced[index]
                out.append(text)
                # Drop the old value's continuation lines; comments and blank lines among them stay.
                out += [line for line in lines[index + 1 : end] if not _is_value_line(line)]
                index = end
                continue
            out.append(lines[index])
            index += 1
        if added:
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += nl
            out += added
        out += lines[section.end :]
        return "".join(out)

    def without_keys(self, name: str, keys: set[str]) -> str:
        """The text with ``keys`` (lower-case) and their continuation lines removed from section
        ``name``; comments, blank lines and every other line stay byte for byte."""
        section = self.sections[name]
        dropped = set()
        for option in section.options.values():
            if option.key.lower() in keys:
                dropped.add(option.start)
                dropped.update(i for i in range(option.start + 1, option.end) if _is_value_line(self.lines[i]))
        return "".join(line for index, line in enumerate(self.lines) if index not in dropped)

    def _indent_after(self, section: Section) -> str:
        """Indentation for keys put into an empty section: as deep as the next header, so that header
        does not become a continuation line of the new keys."""
        for line in self.lines[section.end : section.end + 1]:
            return line[: len(line) - len(line.lstrip())]
        return ""


class IniIndex:
    """A file's sections, each parsed by IniText when first asked for: a run that needs two profiles of
    a 1 MB config (a cached run, completion) reads two sections, not the file.

    A header is a line configparser reads as one. An unindented one always is (only an indented line
    can continue a value), so a section runs from its unindented header to the next; a "[" line that
    is no header (``[x = 1``) stays inside it. Where that is not enough to know the layout (an
    indented "[" line, which is a header or a continuation depending on what precedes it; a
    [DEFAULT] section, whose keys belong to every other; a byte-order mark) the whole file is parsed
    at once. What it does not do is check the sections nobody asked for: a broken line elsewhere is
    found by the paths that read everything (botocore on every AWS call; --write-profile; the listing).
    """

    def __init__(self, text: str) -> None:
        # botocore reads the file with universal newlines: \r\n and \r are line ends, as \n is.
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text
        self._full: IniText | None = None if self._by_sections(text) else IniText(text)
        if self._full is None:
            # Lines before the first header: botocore refuses a file with a key there.
            first = 0 if text.startswith("[") else text.find("\n[") + 1 or len(text)
            IniText(text[:first])
        self._starts: dict[str, list[int]] | None = None  # name -> where its headers start, once many are read
        self._parsed: dict[str, dict[str, str] | None] = {}
        self._all_headers: list[tuple[int, str]] | None = None

    @staticmethod
    def _by_sections(text: str) -> bool:
        """Whether every header is an unindented line, and no section's keys belong to another."""
        if text.startswith(("\ufeff", "[DEFAULT")) or "\n[DEFAULT" in text:
            return False
        if text.count("[") != text.startswith("[") + text.count("\n["):
            # A "[" that does not start a line: harmless in a value or a comment, not on an indented line.
            for line in text.split("\n"):
                if line[:1] != "[" and line.lstrip()[:1] == "[":
                    return False
        return True

    def _headers(self) -> list[tuple[int, str]]:
        """(where it starts, name) of every header, in file order: configparser's header pattern on
        each line that starts with "[" (on an unindented line it matches as on the stripped line:
        trailing white space holds no "]")."""
        if self._all_headers is None:
            text = self.text
            match = _SECTION.match
            found = []
            at = 0 if text.startswith("[") else text.find("\n[") + 1 or -1
            while at >= 0:
                end = text.find("\n", at)
                if end < 0:
                    end = len(text)
                header = match(text, at, end)
                if header:
                    found.append((at, header.group("header")))
                at = text.find("\n[", end) + 1 or -1
            self._all_headers = found
        return self._all_headers

    def _header_starts(self, name: str) -> list[int]:
        """Where the headers of section ``name`` start: found by searching the text for the name."""
        if self._starts is None and len(self._parsed) >= 8:
            # Many lookups (--list-profiles): one pass over every header, not a search per name.
            self._starts = {}
            for start, header in self._headers():
                self._starts.setdefault(header, []).append(start)
        if self._starts is not None:
            return self._starts.get(name, [])
        return [start for start, header in self._header_lines_with(name).items() if header == name]

    def _header_lines_with(self, word: str) -> dict[int, str]:
        """{where it starts: section name} of each header line that holds ``word``, in file order:
        found by searching the text for the word, not by looking at every header."""
        text = self.text
        found = {}
        at = text.find(word)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            if end < 0:
                end = len(text)
            name = _header(text[start:end].strip()) if text.startswith("[", start) else None
            if name is not None:
                found[start] = name
            at = text.find(word, max(end, at + 1))  # the next line (a word may hold a newline)
        return found

    def _section_end(self, start: int) -> int:
        """Where the section whose header starts at ``start`` ends: at the next header, or the end."""
        text = self.text
        at = text.find("\n[", start)
        while at >= 0:
            end = text.find("\n", at + 1)
            if _SECTION.match(text, at + 1, end if end >= 0 else len(text)):
                return at + 1
            at = text.find("\n[", at + 1)
        return len(text)

    @property
    def sections(self) -> dict[str, None]:
        """The section names, in file order (a dict for order and `in`); [DEFAULT] is not one."""
        if self._full is not None:
            return dict.fromkeys(self._full.sections)
        return dict.fromkeys(name for _, name in self._headers())

    def headers_with(self, words: tuple[str, ...]) -> list[str]:
        """The names of the sections whose name holds one of ``words``, in file order (a cheap filter
        before a lookup)."""
        if self._full is not None:
            return [name for name in self._full.sections if any(word in name for word in words)]
        found: dict[int, str] = {}
        for word in words:
            found.update((start, name) for start, name in self._header_lines_with(word).items() if word in name)
        return [found[start] for start in sorted(found)]

    def values(self, name: str) -> dict[str, str] | None:
        """{key: value} of section ``name`` as botocore sees it, or None when there is no such section."""
        if self._full is not None:
            return self._full.values(name)
        if name not in self._parsed:
            self._parsed[name] = self._read(name)
        return self._parsed[name]

    def _read(self, name: str) -> dict[str, str] | None:
        starts = self._header_starts(name)
        if not starts:
            return None
        if len(starts) > 1:
            self._full = IniText(self.text)  # raises: botocore refuses a section that appears twice
        start = starts[0]
        block = self.text[start : self._section_end(start)]
        try:
            return IniText(block).values(name)
        except IniError:
            self._full = IniText(self.text)  # raises the error with the file's own line number
            raise  # pragma: no cover - the whole file cannot parse when one of its sections does not


def _is_value_line(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(COMMENT_PREFIXES)


def nested(value: str, lineno: int | None = None) -> dict[str, str]:
    """botocore's _parse_nested: the lines of a value that starts on the next line, as a dict."""
    parsed = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, rest = line.partition("=")
        if not sep:
            raise IniError(f"nested setting {line[:40]!r} has no '='", lineno)
        parsed[key.strip()] = rest.strip()
    return parsed
