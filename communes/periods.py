"""Reporting periods as codes: ``2021-H1`` (first six months), ``2021-H2`` and ``2021`` (whole year).

Quarters (``2021-Q3``) are not assessment periods; they appear only as task deadlines (directives/).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-H(?P<half>[12]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int | None = None  # None = the whole year

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> datetime.date:
        if self.half == 1:
            return datetime.date(self.year, 6, 30)
        return datetime.date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.half == 1:
            return _("6 tháng đầu năm %(year)d") % {"year": self.year}
        if self.half == 2:
            return _("6 tháng cuối năm %(year)d") % {"year": self.year}
        return _("Năm %(year)d") % {"year": self.year}

    def previous(self) -> "Period":
        """The period before, of the same kind: 2021-H1 → 2020-H2, 2021-H2 → 2021-H1, 2021 → 2020."""
        if self.half == 1:
            return Period(self.year - 1, 2)
        if self.half == 2:
            return Period(self.year, 1)
        return Period(self.year - 1)

    def __str__(self) -> str:
        return self.code


def parse_period(code: str) -> Period:
    """Parse a period code or raise ValidationError with a translated message."""
    match = PERIOD_RE.match((code or "").strip())
    if not match:
        raise ValidationError(
            _("Kỳ không hợp lệ: “%(code)s”. Dùng dạng 2021-H1, 2021-H2 hoặc 2021.") % {"code": code},
            code="invalid_period",
        )
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Năm của kỳ không hợp lệ: %(year)d.") % {"year": year}, code="invalid_period")
    return Period(year, int(match["half"]) if match["half"] else None)


def is_valid_period(code: str) -> bool:
    try:
        parse_period(code)
    except ValidationError:
        return False
    return True


def period_choices(*, first_year: int = 2016, last_year: int | None = None) -> list[tuple[str, str]]:
    """Selectable periods, newest first: each year, then its halves."""
    from django.utils import timezone

    last_year = last_year or timezone.localdate().year
    choices = []
    for year in range(last_year, first_year - 1, -1):
        for period in (Period(year), Period(year, 2), Period(year, 1)):
            choices.append((period.code, period.label))
    return choices


DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_day(value, *, field: str = "on", today: datetime.date | None = None) -> datetime.date | None:
    """A day from ``YYYY-MM-DD`` (the API) or ``dd/mm/yyyy`` (pages); None for an empty value.

    Raises ValidationError keyed by ``field`` with a translated message for anything else, and, when
    ``today`` is given, for a day after it (figures cannot be as of a day that has not come).
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        day = value
    else:
        text = str(value).strip()
        day = None
        for pattern in DAY_FORMATS:
            try:
                day = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day, no time)
                break
            except ValueError:
                continue
        if day is None:
            raise ValidationError(
                {field: [_("Ngày không hợp lệ: “%(value)s”. Dùng dạng YYYY-MM-DD hoặc dd/mm/yyyy.") % {"value": text[:20]}]}
            )
    if today is not None and day > today:
        raise ValidationError(
            {field: [_("Ngày chốt số liệu không được sau hôm nay (%(today)s).") % {"today": today.strftime("%d/%m/%Y")}]}
        )
    return day
