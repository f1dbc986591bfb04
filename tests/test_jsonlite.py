"""jsonlite reads and writes exactly what the json package does, for what the cached path needs."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_export import jsonlite
from tests.conftest import ROOT

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=False, allow_infinity=False)
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20
)
KEYS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def same(a, b):
    """Equal, with NaN equal to NaN (json reads NaN too)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([None, 1, 2]), st.sampled_from(["", " ", "\n", " \t\r\n"]))
def test_reads_what_json_writes(value, indent, space):
    text = space + json.dumps(value, indent=indent) + space
    assert same(jsonlite.loads(text), json.loads(text))


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(st.sampled_from(list('{}[]",:0123456789.eE+- \t\n\rtruefalsnNIiyx\\u\x00\u00e9\ufeff')), max_size=30),
        st.text(max_size=30),
    )
)
def test_refuses_what_json_refuses(text):
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc) if isinstance(exc, RecursionError) else ValueError):
            jsonlite.loads(text)
    else:
        assert same(jsonlite.loads(text), expected)


@settings(max_examples=300, deadline=None)
@given(KEYS)
def test_writes_keys_as_json_dumps_sorted(value):
    assert jsonlite.dumps(value) == json.dumps(value, sort_keys=True)


def test_a_cache_key_names_the_same_file_as_before():
    key = {"source": "AKIAEXAMPLE", "serial": "arn:aws:iam::123456789012:mfa/doug", "role": [["arn:x", None]]}
    assert jsonlite.dumps(key) == json.dumps(key, sort_keys=True)
    assert jsonlite.dumps(("a", 1)) == json.dumps(("a", 1))


@pytest.mark.parametrize("value", [1.5, {1: "a"}, object(), b"bytes"])
def test_refuses_what_a_key_never_holds(value):
    with pytest.raises(TypeError):
        jsonlite.dumps(value)


@pytest.mark.parametrize("text", ['{"a', '{"a": 1} x', "", "\ufeff{}", "[1,]", '"\\ud800', "nul"])
def test_errors_without_json_loaded_are_value_errors(text):
    """In a process that has not imported json (a cached run): on Python 3.11 the C scanner cannot
    report an error until json.decoder is loaded, and raised SystemError."""
    import subprocess
    import sys

    probe = (
        "import sys\nfrom mfa_export import jsonlite\nassert 'json' not in sys.modules\n"
        "try:\n    jsonlite.loads(sys.argv[1])\nexcept ValueError:\n    print('ValueError')\n"
        "else:\n    print('read')\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", probe, text], capture_output=True, text=True, cwd=ROOT)
    try:
        json.loads(text)
        expected = "read"
    except ValueError:
        expected = "ValueError"
    assert (result.stdout.strip(), result.stderr) == (expected, "")
