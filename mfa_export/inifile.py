"""The INI dialect of the AWS files, read and edited exactly as botocore reads it.

botocore parses ~/.aws/config and ~/.aws/credentials with ``configparser.RawConfigParser()`` at its
defaults (``=`` or ``:`` delimiters, whole-line ``#``/``;`` comments, indented continuation lines,
strict: no duplicate sections or keys, a ``[DEFAULT]`` section merged into every other one), read
through ``open()`` with universal newlines, and then turns a value whose first line is empty into a
nested section (``s3 =`` followed by indented ``key = value`` lines). This module repeats that
algorithm line by line, remembering where each section and key stands, so that:

- the export path sees the same profiles and values botocore would (and fails where it fails);
- an edit can replace or add keys in one section and leave every other byte of the file alone.

The property tests compare this parser with configparser and botocore on generated files.
"""

from __future__ import annotations

import io

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


def _header(value: str) -> str | None:
    """configparser's SECTCRE, ``\\[(?P<header>.+)\\]`` matched at the start: the name up to the last ]."""
    if value[:1] == "[":
        close = value.rfind("]")
        if close >= 2:
            return value[1:close]
    return None


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
            indent = len(line) - len(line.lstrip())
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
            at = min((i for i in (stripped.find("="), stripped.find(":")) if i >= 0), default=-1)
            key = stripped[:at].rstrip() if at >= 0 else ""
            if not key:
                raise IniError(f"not a 'key = value' line or a [section] header: {stripped[:40]!r}", lineno)
            lowered = key.lower()
            where = (DEFAULT_SECTION if section is None else section.name, lowered)
            if where in added:
                raise IniError(f"key {lowered!r} appears twice in section [{where[0]}]", lineno)
            added.add(where)
            option = options[lowered] = Option(key, index, indent, stripped[at + 1 :].strip())
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
    """A file's sections, each parsed only when asked for: what a run that needs two profiles of a
    1 MB config reads (the cached run, completion), at the cost of a few C-speed searches.

    Every section it returns is parsed by IniText, so its values are botocore's. What it does not
    do is check the sections nobody asked for: a broken line elsewhere in the file is found by the
    paths that act (botocore reads the whole file on every AWS call; --write-profile parses it all).
    A file whose layout a header search could misread (an indented line, which may be a header or a
    continuation, a [DEFAULT] section, a lone CR, keys before the first header) is parsed whole, as
    before; so is a section whose header appears twice (to fail as botocore does).

    In a file it reads lazily, every header starts a line ("\n[", or "[" at the very start); no
    "[" line is indented. Nothing here uses re: its import costs a run ~8 ms.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._full: IniText | None = None
        self._lines: list[str] | None = None  # the "[" lines in file order, once something needs them all
        if not self._searchable(text):
            self._full = IniText(text)
        self._names: list[str] | None = None
        self._parsed: dict[str, dict[str, str] | None] = {}
        self._by_name: dict[str, list[int]] | None = None  # name -> where its headers start, once many are read

    def _searchable(self, text: str) -> bool:
        if text.startswith("\ufeff") or ("\r" in text and "\r" in text.replace("\r\n", "")):
            return False
        if text.count("[") != text.startswith("[") + text.count("\n["):
            # A "[" that does not start a line: harmless in a value or a comment, but an indented "["
            # line is a header or a continuation, depending on what precedes it. str.lstrip() strips
            # what configparser's strip() does.
            lines = [line for line in text.split("\n") if line.lstrip().startswith("[")]
            if any(not line.startswith("[") for line in lines):
                return False
            self._lines = lines
        first = 0 if text.startswith("[") else text.find("\n[") + 1 or len(text)
        if any(_is_value_line(line) for line in split_lines(text[:first])):
            return False  # keys before the first header: botocore refuses the file
        # A [DEFAULT] header (its name is what lies between "[" and the line's last "]"): its keys
        # belong to every section. A line that merely starts so is parsed whole too, to be safe.
        return not (text.startswith("[DEFAULT]") or "\n[DEFAULT]" in text)

    def _header_lines(self) -> list[str]:
        if self._lines is None:
            pieces = ("\n" + self.text).split("\n[")
            self._lines = ["[" + piece.partition("\n")[0] for piece in pieces[1:]]
        return self._lines

    def _lines_with(self, word: str) -> dict[int, str]:
        """{where it starts: line} of each header line that holds ``word``, in file order: found by
        searching the text for the word, not by looking at every header."""
        text = self.text
        found = {}
        at = text.find(word)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            if end < 0:
                end = len(text)
            if text.startswith("[", start):
                found[start] = text[start:end]
            at = text.find(word, max(end, at + 1))  # the next line (a word may hold a newline)
        return found

    @property
    def sections(self) -> dict[str, None]:
        """The section names, in file order (a dict for order and `in`)."""
        if self._full is not None:
            return dict.fromkeys(self._full.sections)
        if self._names is None:
            # _header() of each stripped line, cheaper: every line starts with "["; the name runs to
            # the line's last "]", and is not empty.
            names = []
            if self._lines is None:  # straight from the text after each "\n[": no list of lines
                pieces = ("\n" + self.text).split("\n[")
                del pieces[0]
                for piece in pieces:
                    line = piece.partition("\n")[0]
                    end = line.rfind("]")
                    if end >= 1:
                        names.append(line[:end])
            else:
                for line in self._lines:
                    end = line.rfind("]")
                    if end >= 2:
                        names.append(line[1:end])
            self._names = names
        return dict.fromkeys(self._names)

    def headers_with(self, words: tuple[str, ...]) -> list[str]:
        """The names of the sections whose header holds one of ``words``, in file order (a cheap
        filter before a lookup)."""
        if self._full is not None:
            return [name for name in self._full.sections if any(word in name for word in words)]
        found: dict[int, str] = {}
        for word in words:
            found.update(self._lines_with(word))
        names = (_header(found[start].strip()) for start in sorted(found))
        return [name for name in names if name and any(word in name for word in words)]

    def values(self, name: str) -> dict[str, str] | None:
        if self._full is not None:
            return self._full.values(name)
        if name not in self._parsed:
            self._parsed[name] = self._read(name)
        return self._parsed[name]

    def _read(self, name: str) -> dict[str, str] | None:
        if self._by_name is None and len(self._parsed) >= 8:
            # Many lookups (--list-profiles): one pass that maps every header to where it starts,
            # not a search per name.
            text = self.text
            header_starts = [0] if text.startswith("[") else []
            at = text.find("\n[")
            while at >= 0:
                header_starts.append(at + 1)
                at = text.find("\n[", at + 1)
            self._by_name = {}
            for start in header_starts:
                end = text.find("\n", start)
                line = text[start:end] if end >= 0 else text[start:]
                self._by_name.setdefault(_header(line.strip()) or "", []).append(start)
        if self._by_name is not None:
            starts = self._by_name.get(name, [])
        else:
            starts = [start for start, line in self._lines_with(name).items() if _header(line.strip()) == name]
        if not starts:
            return None
        if len(starts) > 1:
            self._full = IniText(self.text)  # raises: botocore refuses a section that appears twice
        start = starts[0]
        end = self.text.find("\n[", start)
        block = self.text[start : end + 1 if end >= 0 else len(self.text)]
        simple = _simple_values(block)
        if simple is not None:
            return simple
        try:
            return IniText(block).values(name)
        except IniError:
            self._full = IniText(self.text)  # raises the error with the file's own line number
            raise  # pragma: no cover - the whole file cannot parse when one of its sections does not


def _simple_values(block: str) -> dict[str, str] | None:
    """What IniText(block).values() gives for a section whose lines after its header are all blank,
    comments, or unindented ``key = value`` lines with no key twice: most sections, read without
    IniText's bookkeeping (a first --list-profiles reads thousands). None for anything else (a
    continuation line, a nested value, a line IniText refuses), which IniText then reads."""
    values: dict[str, str] = {}
    for line in block.split("\n")[1:]:  # no lone CR here: IniIndex parses such a file whole
        stripped = line.strip()
        if not stripped or stripped.startswith(COMMENT_PREFIXES):
            continue
        if line[0].isspace():
            return None
        equals, colon = stripped.find("="), stripped.find(":")
        at = colon if equals < 0 else equals if colon < 0 else min(equals, colon)
        key = stripped[:at].rstrip() if at >= 0 else ""
        lowered = key.lower()
        if not key or lowered in values:
            return None
        values[lowered] = stripped[at + 1 :].strip()
    return values


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
