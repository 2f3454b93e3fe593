"""Dates as SuiteQL shows them: the user's date-format preference, and Oracle format models.

The store keeps dates as ``YYYY-MM-DD`` and datetimes as ``YYYY-MM-DDTHH:MM:SSZ``. A bare date
column leaves SuiteQL in the integration user's *Date Format* preference (HC section_N249143:
default ``M/D/YYYY``; also ``D/M/YYYY``, ``D-Mon-YYYY``, ``D.M.YYYY``, ``DD/MM/YYYY``,
``DD-MONTH-YYYY`` …), which is why public clients select ``TO_CHAR(col, 'YYYY-MM-DD')``
(salto-io/salto PR #3308, "fix quick fetch failure for accounts with different time formats").
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

# Declared types of the store's date and datetime columns: SQLite reports a column's declared
# type for a bare column reference and none for an expression, which is exactly the line
# between "formatted by the preference" and "formatted by TO_CHAR".
DATE_DECL = "NSDATE"
DATETIME_DECL = "NSDATETIME"

# English names, as NetSuite's Mon and MONTH formats show them (calendar's depend on locale).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PREFERENCE_TOKEN = re.compile(r"YYYY|MONTH|Mon|MM|M|DD|D|.", re.DOTALL)
_ORACLE_TOKEN = re.compile(
    r'"[^"]*"|YYYY|HH24|HH12|HH|MI|SS|MM|DD|MONTH|MON|AM|PM|[-/.,:; T]|.', re.IGNORECASE
)
_output = threading.local()


def _hour_of_12(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12:02d}"


def _meridiem(moment: datetime) -> str:
    return "AM" if moment.hour < 12 else "PM"


# What each Oracle format element of TO_CHAR shows of a moment.
_TO_CHAR_FIELDS: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda m: f"{m.year:04d}",
    "MM": lambda m: f"{m.month:02d}",
    "DD": lambda m: f"{m.day:02d}",
    "HH24": lambda m: f"{m.hour:02d}",
    "HH": _hour_of_12,
    "HH12": _hour_of_12,
    "MI": lambda m: f"{m.minute:02d}",
    "SS": lambda m: f"{m.second:02d}",
    "AM": _meridiem,
    "PM": _meridiem,
    "MONTH": lambda m: MONTHS[m.month - 1].upper(),
    "MON": lambda m: MONTHS[m.month - 1][:3].upper(),
}


class FormatError(ValueError):
    """A format model or a value the sandbox cannot convert (an invalid search query)."""


def stored_moment(text: str) -> datetime | None:
    """A stored date or datetime as a naive datetime, or None if ``text`` is neither."""
    for pattern in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def preference_date(day: date, preference: str) -> str:
    """``day`` in a NetSuite date-format preference such as ``D/M/YYYY``."""
    out: list[str] = []
    for token in _PREFERENCE_TOKEN.findall(preference):
        out.append(
            {
                "YYYY": f"{day.year:04d}",
                "MONTH": MONTHS[day.month - 1],
                "Mon": MONTHS[day.month - 1][:3],
                "MM": f"{day.month:02d}",
                "M": str(day.month),
                "DD": f"{day.day:02d}",
                "D": str(day.day),
            }.get(token, token)
        )
    return "".join(out)


def parse_preference_date(text: str, preference: str) -> date:
    """The inverse of :func:`preference_date` (``TO_DATE`` without a format model)."""
    pattern = ""
    for token in _PREFERENCE_TOKEN.findall(preference):
        pattern += {
            "YYYY": r"(?P<y>\d{4})",
            "MONTH": r"(?P<mname>[A-Za-z]+)",
            "Mon": r"(?P<mname>[A-Za-z]{3})",
            "MM": r"(?P<m>\d{2})",
            "M": r"(?P<m>\d{1,2})",
            "DD": r"(?P<d>\d{2})",
            "D": r"(?P<d>\d{1,2})",
        }.get(token, re.escape(token))
    match = re.fullmatch(pattern, text.strip())
    if match is None:
        raise FormatError(f"{text!r} does not match the date format {preference}")
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else _month_number(parts.get("mname") or "")
    try:
        return date(int(parts["y"]), month, int(parts["d"]))
    except (TypeError, ValueError):
        raise FormatError(f"{text!r} is not a date") from None


def _month_number(name: str) -> int:
    for number, month in enumerate(MONTHS, start=1):
        if month.lower().startswith(name.lower()) and len(name) >= 3:
            return number
    raise FormatError(f"{name!r} is not a month")


def preference_datetime(moment: datetime, preference: str) -> str:
    """A datetime as SuiteQL prints a bare datetime column: date preference, then ``h:mm am``.

    The time part follows the default Time Format preference [assumption: the sandbox keeps
    datetimes in UTC where NetSuite shows the user's time zone].
    """
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{preference_date(moment.date(), preference)} {hour}:{moment.minute:02d} {suffix}"


def to_char(value: object, model: str | None = None) -> str | None:
    """Oracle ``TO_CHAR``: dates and datetimes by a format model, anything else as text."""
    if value is None:
        return None
    text = str(value)
    moment = stored_moment(text)
    if moment is None or model is None:
        return text
    out: list[str] = []
    for token in _ORACLE_TOKEN.findall(model):
        field = _TO_CHAR_FIELDS.get(token.upper())
        if token.startswith('"'):
            out.append(token[1:-1])
        elif field is not None:
            out.append(field(moment))
        elif len(token) == 1 and not token.isalnum():
            out.append(token)
        else:
            raise FormatError(f"date format not recognized: {model!r}")
    return "".join(out)


def to_date(text: object, model: str | None, preference: str) -> str | None:
    """Oracle ``TO_DATE``: ``text`` read by ``model`` (or the user's preference) as stored text.

    A value that does not match its model fails, as Oracle's ORA-01861 does; the result is a
    stored date (``YYYY-MM-DD``) or, with a time part, a stored datetime.
    """
    if text is None:
        return None
    raw = str(text).strip()
    if model is None:
        return parse_preference_date(raw, preference).isoformat()
    pattern = ""
    has_time = False
    for token in _ORACLE_TOKEN.findall(model):
        upper = token.upper()
        group = {
            "YYYY": r"(?P<y>\d{4})",
            "MM": r"(?P<m>\d{1,2})",
            "DD": r"(?P<d>\d{1,2})",
            "HH24": r"(?P<h>\d{1,2})",
            "MI": r"(?P<mi>\d{1,2})",
            "SS": r"(?P<s>\d{1,2})",
        }.get(upper)
        if group is not None:
            has_time = has_time or upper in ("HH24", "MI", "SS")
            pattern += group
        elif token.startswith('"'):
            pattern += re.escape(token[1:-1])
        elif len(token) == 1 and not token.isalnum():
            pattern += re.escape(token)
        else:
            raise FormatError(f"date format not recognized: {model!r}")
    match = re.fullmatch(pattern, raw)
    if match is None:
        raise FormatError(f"literal does not match format string: {raw!r} vs {model!r}")
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    try:
        moment = datetime(
            parts["y"],
            parts.get("m", 1),
            parts.get("d", 1),
            parts.get("h", 0),
            parts.get("mi", 0),
            parts.get("s", 0),
        )
    except (KeyError, ValueError):
        raise FormatError(f"{raw!r} is not a date") from None
    if has_time:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.date().isoformat()


@contextmanager
def output_in(preference: str) -> Iterator[None]:
    """While active (one thread), bare date columns fetched from the store are formatted."""
    _output.preference = preference
    try:
        yield
    finally:
        _output.preference = None


def _convert_date(raw: bytes) -> str:
    text = raw.decode()
    preference = getattr(_output, "preference", None)
    moment = stored_moment(text) if preference else None
    return preference_date(moment.date(), preference) if moment and preference else text


def _convert_datetime(raw: bytes) -> str:
    text = raw.decode()
    preference = getattr(_output, "preference", None)
    moment = stored_moment(text) if preference else None
    return preference_datetime(moment, preference) if moment and preference else text


def register_converters() -> None:
    """Install the NSDATE / NSDATETIME converters (idempotent).

    Converters are process-wide in sqlite3; the names are the sandbox's own, and outside
    :func:`output_in` they hand the stored text back unchanged.
    """
    sqlite3.register_converter(DATE_DECL, _convert_date)
    sqlite3.register_converter(DATETIME_DECL, _convert_datetime)
