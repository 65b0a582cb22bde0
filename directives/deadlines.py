"""Deadlines as documents write them, turned into the last day of the period they name.

"Quý III/2021" → 30/09/2021, "6 tháng đầu năm 2022" → 30/06/2022, "năm 2021" → 31/12/2021,
"tháng 9/2021" → 30/09/2021, "trước ngày 30/9/2021" and "30/09/2021" → 30/09/2021. A standing task
("Thường xuyên") has no deadline: ``None``. Anything else is a ``ValidationError`` with a translated message.

Labels are read without diacritics and case ("quy 3/2021", "Q3/2021", "2021-Q3" all work). Leading words
such as "trong", "hết", "đến hết", "cuối", "trước ngày" are dropped: "trước ngày 30/9/2021" is read as the
deadline day itself, the way offices read it. "Today" is always the date in Asia/Ho_Chi_Minh.
"""

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import fold

PROVINCE_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_YEAR, LAST_YEAR = 2000, 2100

STANDING_LABELS = {"thuong xuyen", "khong thoi han", "khong co thoi han", "hang nam", "dinh ky"}
_LEADING_WORDS = ("hoan thanh", "den", "trong", "truoc", "het", "cuoi", "ngay", "han")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_SEP = r"\s*(?:[/.\-]|\s+nam\s+|\s)\s*"

_QUARTER = re.compile(rf"^(?:quy|q)\s*(iv|i{{1,3}}|[1-4]){_SEP}(\d{{4}})$")
_QUARTER_CODE = re.compile(r"^(\d{4})\s*-?\s*q\s*([1-4])$")
_HALF = re.compile(r"^(?:0?6|sau) thang (dau|cuoi) nam (\d{4})$")
_HALF_CODE = re.compile(r"^(\d{4})\s*-\s*h([12])$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")
_MONTH = re.compile(rf"^(?:thang\s*(\d{{1,2}}){_SEP}|(\d{{1,2}})\s*/\s*)(\d{{4}})$")
_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_DATE_WORDS = re.compile(r"^(\d{1,2}) thang (\d{1,2}) nam (\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Ho_Chi_Minh (UTC+7): the day on which "overdue" is judged.

    ``now`` (an aware datetime) defaults to the current time; at 17:30 UTC on 30/09 it is already 01/10.
    """
    now = now or timezone.now()
    return now.astimezone(PROVINCE_TIME_ZONE).date()


def _unreadable(label: str) -> ValidationError:
    return ValidationError(
        _(
            "Không đọc được thời hạn “%(label)s”. Hãy ghi một ngày (30/09/2021) hoặc một kỳ như “Quý III/2021”, "
            "“tháng 9/2021”, “6 tháng cuối năm 2021”, “năm 2021”, hoặc “Thường xuyên”."
        ),
        code="unreadable_deadline",
        params={"label": label},
    )


def _year(text: str, label: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Năm %(year)s trong thời hạn “%(label)s” nằm ngoài khoảng %(first)s–%(last)s."),
            code="deadline_year_out_of_range",
            params={"year": year, "label": label, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return year


def _month_end(year: int, month: int, label: str) -> date:
    if not 1 <= month <= 12:
        raise _unreadable(label)
    return date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int, label: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("“%(label)s” không phải là một ngày có thật."), code="impossible_date", params={"label": label}
        ) from None


def normalise(label: str) -> str:
    """Lower case, no diacritics, single spaces, no trailing full stop, leading filler words dropped."""
    text = fold(label).strip().rstrip(".").strip()
    text = re.sub(r"\s*/\s*", "/", text)
    changed = True
    while changed:
        changed = False
        for word in _LEADING_WORDS:
            if text.startswith(word + " "):
                text = text[len(word) + 1 :].lstrip(": ")
                changed = True
    return text


def parse_due_label(label: str) -> date | None:
    """The last day of the period a deadline label names; ``None`` for a standing task ("Thường xuyên").

    Raises ``ValidationError`` (code ``unreadable_deadline``, ``impossible_date`` or
    ``deadline_year_out_of_range``) with a translated message naming the label.
    """
    original = (label or "").strip()
    text = normalise(original)
    if not text:
        raise _unreadable(original)
    if text in STANDING_LABELS:
        return None
    if match := _QUARTER.match(text):
        quarter_text, year_text = match.groups()
        quarter = _ROMAN.get(quarter_text) or int(quarter_text)
        return _month_end(_year(year_text, original), quarter * 3, original)
    if match := _QUARTER_CODE.match(text):
        return _month_end(_year(match.group(1), original), int(match.group(2)) * 3, original)
    if match := _HALF.match(text):
        half, year_text = match.groups()
        return _month_end(_year(year_text, original), 6 if half == "dau" else 12, original)
    if match := _HALF_CODE.match(text):
        return _month_end(_year(match.group(1), original), 6 * int(match.group(2)), original)
    if match := _YEAR.match(text):
        return date(_year(match.group(1), original), 12, 31)
    if match := _MONTH.match(text):
        month_text = match.group(1) or match.group(2)
        return _month_end(_year(match.group(3), original), int(month_text), original)
    if match := _DATE.match(text) or _DATE_WORDS.match(text):
        day, month, year_text = match.groups()
        return _day(_year(year_text, original), int(month), int(day), original)
    if match := _DATE_ISO.match(text):
        year_text, month, day = match.groups()
        return _day(_year(year_text, original), int(month), int(day), original)
    raise _unreadable(original)


def is_standing_label(label: str) -> bool:
    """True for a label that names no deadline on purpose ("Thường xuyên")."""
    return normalise(label or "") in STANDING_LABELS
