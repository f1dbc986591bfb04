"""datetime's classes, without the cost of importing datetime.py.

In CPython, datetime.py first runs its whole pure-Python implementation (~2.5 ms, a tenth of a
cached run's budget) and then replaces it with the C module _datetime, whose classes are the very
ones datetime.datetime and datetime.timezone end up being. The paths users wait for import this
instead; everything else may use datetime as usual, the objects are the same.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime, timedelta, timezone
else:
    try:
        from _datetime import datetime, timedelta, timezone
    except ImportError:  # pragma: no cover - a Python without the C module
        from datetime import datetime, timedelta, timezone

__all__ = ["datetime", "timedelta", "timezone"]
