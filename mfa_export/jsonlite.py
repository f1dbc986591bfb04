"""JSON for the paths users wait for, on CPython's C accelerator (_json) without the json package.

Importing json compiles regexes in json.decoder and json.encoder, which imports re and enum: about
8 ms, a fifth of a cached run. The C scanner and string encoder that json uses underneath need none
of that. A cached run reads its entry with ``loads`` and names it with ``dumps``; both give exactly
what json.loads and json.dumps(obj, sort_keys=True) give (a property test holds them to it).
Everything else (writing entries, --format json, the listing) uses the json package as usual.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WHITESPACE = " \t\n\r"  # JSON's whitespace: json.decoder's WHITESPACE pattern


class _Decoder:
    """The attributes json's C scanner reads from a json.JSONDecoder, with json.loads's defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity: json gives float(name) too


_scan: Any  # the C scanner: (text, index) -> (value, end), or StopIteration(index)
try:
    from _json import encode_basestring_ascii as _quote
    from _json import make_scanner

    _scan = make_scanner(_Decoder())  # type: ignore[arg-type]  # it reads a JSONDecoder's attributes
except ImportError:  # pragma: no cover - a Python without the C module
    from json.encoder import encode_basestring_ascii as _quote

    _scan = None


def loads(text: str) -> Any:
    """json.loads(text) for text (str): the value, or ValueError (json's JSONDecodeError is one)."""
    if _scan is not None:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = _scan(text, start)
        except (StopIteration, ValueError, SystemError):
            pass  # below: json says what is wrong
        else:
            if not text[end:].strip(_WHITESPACE):
                return value
    # Not JSON (or no C scanner): json itself raises its own error. Only it can: the C scanner
    # reports an error through json.decoder, and on Python 3.11 without importing it first, it
    # raises SystemError ("returned NULL without setting an exception") while json is not loaded.
    import json

    return json.loads(text)


def dumps(value: object) -> str:
    """json.dumps(value, sort_keys=True) for dicts with text keys, lists, tuples, text, None, bools
    and ints: the shapes of a cache key. Anything else is a TypeError, as in json."""
    if type(value) is str:  # the common cases first: a first --list-profiles names thousands of keys
        return str(_quote(value))
    if value is None:
        return "null"
    if type(value) is list:
        return "[" + ", ".join([dumps(item) for item in value]) + "]"
    if type(value) is dict and all(type(key) is str for key in value):
        return "{" + ", ".join(f"{_quote(key)}: {dumps(value[key])}" for key in sorted(value)) + "}"
    if isinstance(value, str):
        return str(_quote(value))
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("keys must be text")
        return "{" + ", ".join(f"{_quote(key)}: {dumps(value[key])}" for key in sorted(value)) + "}"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
