"""records.record() makes the classes collections.namedtuple makes, for what mfa-export does with them."""

import pickle
from collections import namedtuple

import pytest

from mfa_export.records import record

SHAPES = [("P", "a b c", ()), ("Q", ["x", "y"], (7,)), ("R", "one", ("d",)), ("S", "a b c d", (None, None))]


def _make(maker, name, fields, defaults):
    return maker(name, fields, defaults=defaults)


@pytest.mark.parametrize("name,fields,defaults", SHAPES)
def test_behaves_as_namedtuple(name, fields, defaults):
    ours, theirs = _make(record, name, fields, defaults), _make(namedtuple, name, fields, defaults)
    assert ours._fields == theirs._fields and ours._field_defaults == theirs._field_defaults
    assert ours.__match_args__ == theirs.__match_args__
    n = len(theirs._fields)
    calls = [
        ((), {}),
        (tuple(range(n)), {}),
        (tuple(range(n + 1)), {}),
        (tuple(range(n - 1)), {}),
        ((), dict(zip(theirs._fields, range(n)))),
        ((0,), {theirs._fields[0]: 1}),
        ((), {"nope": 1}),
        (tuple(range(n - len(defaults))), {}),
    ]
    for args, keywords in calls:
        try:
            expected = theirs(*args, **keywords)
        except TypeError:
            with pytest.raises(TypeError):
                ours(*args, **keywords)
            continue
        got = ours(*args, **keywords)
        assert tuple(got) == tuple(expected) and got == expected and hash(got) == hash(expected)
        assert repr(got) == repr(expected) and got._asdict() == expected._asdict()
        assert [getattr(got, f) for f in got._fields] == [getattr(expected, f) for f in expected._fields]
        field = theirs._fields[-1]
        assert tuple(got._replace(**{field: "new"})) == tuple(expected._replace(**{field: "new"}))
        with pytest.raises(ValueError):
            got._replace(nope=1)
        with pytest.raises(AttributeError):
            got.extra = 1  # __slots__ = (): no instance attributes, as a namedtuple
        assert isinstance(got, tuple)


class Point(record("Point", "x y", defaults=(0,))):
    __slots__ = ()

    def norm(self):
        return abs(self.x) + abs(self.y)


def test_subclasses_keep_their_methods_and_pickle():
    point = Point(3, -4)
    assert point.norm() == 7 and Point(1) == (1, 0) and point._replace(y=1) == Point(3, 1)
    assert type(point._replace(y=1)) is Point
    assert pickle.loads(pickle.dumps(point)) == point and type(pickle.loads(pickle.dumps(point))) is Point
    assert repr(point) == "Point(x=3, y=-4)"
