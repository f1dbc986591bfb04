"""namedtuple's classes, without importing collections.

Every run builds four records (Credentials, Session, Settings, RoleStep). With collections.namedtuple
that costs a cached run about 5 ms: the import of collections (keyword, operator, reprlib...) and an
eval() per class for its __new__. record() makes the same kind of class, a tuple subclass with named
fields, defaults, _replace, _asdict and a namedtuple's repr (tests/test_records.py compares them).
mypy is shown collections.namedtuple itself, whose fields it understands.
"""

from __future__ import annotations

__all__ = ["record"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections import namedtuple as record  # what mypy checks the classes as
else:
    try:
        from _operator import itemgetter
    except ImportError:  # pragma: no cover - a Python without the C module
        from operator import itemgetter

    _MISSING = object()

    def record(typename, field_names, *, defaults=()):
        """collections.namedtuple(typename, field_names, defaults=defaults), for valid field names."""
        fields = tuple(field_names.replace(",", " ").split() if isinstance(field_names, str) else field_names)
        defaults = tuple(defaults)
        if len(defaults) > len(fields):
            raise TypeError("Got more default values than field names")
        required = len(fields) - len(defaults)
        positions = {name: index for index, name in enumerate(fields)}

        def __new__(cls, *args, **keywords):
            if len(args) > len(fields):
                raise TypeError(f"{typename}() takes {len(fields)} arguments but {len(args)} were given")
            values = [*args, *[_MISSING] * (len(fields) - len(args))]
            for name, value in keywords.items():
                index = positions.get(name)
                if index is None:
                    raise TypeError(f"{typename}() got an unexpected keyword argument {name!r}")
                if values[index] is not _MISSING:
                    raise TypeError(f"{typename}() got multiple values for argument {name!r}")
                values[index] = value
            for index, value in enumerate(values):
                if value is _MISSING:
                    if index < required:
                        raise TypeError(f"{typename}() missing required argument: {fields[index]!r}")
                    values[index] = defaults[index - required]
            return tuple.__new__(cls, values)

        def _replace(self, **changes):
            values = [changes.pop(name, value) for name, value in zip(fields, self)]
            if changes:
                raise ValueError(f"Got unexpected field names: {list(changes)!r}")
            return type(self)(*values)

        def __repr__(self):
            return f"{type(self).__name__}(" + ", ".join(f"{name}={value!r}" for name, value in zip(fields, self)) + ")"

        def _asdict(self):
            return dict(zip(fields, self))

        def __getnewargs__(self):
            return tuple(self)

        namespace = {
            "__doc__": f"{typename}({', '.join(fields)})",
            "__slots__": (),
            "__new__": __new__,
            "__repr__": __repr__,
            "__getnewargs__": __getnewargs__,
            "__match_args__": fields,
            "_fields": fields,
            "_field_defaults": dict(zip(fields[required:], defaults)),
            "_replace": _replace,
            "_asdict": _asdict,
        }
        for index, name in enumerate(fields):
            namespace[name] = property(itemgetter(index), doc=f"Alias for field number {index}")
        return type(typename, (tuple,), namespace)
