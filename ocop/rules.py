"""OCOP rules as pure functions over the facts in ``ocop/data/ocop.yaml`` (a copy of reference/ocop.yaml).

No database access here: services, selectors, forms and tests all use these, so a score maps to the same
stars and a decision date to the same certificate expiry everywhere.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "ocop.yaml"
PROGRAMME_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# QĐ 490/QĐ-TTg of 07/05/2018 started the programme: no OCOP decision can be older.
PROGRAMME_START = datetime.date(2018, 5, 7)
CERTIFIED_STARS = (3, 4, 5)
SCORE_MAX = Decimal(100)
EXPIRING_SOON_DAYS = 90


@cache
def facts() -> dict:
    """The parsed reference file (read once per process)."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def programme_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in Asia/Ho_Chi_Minh (the date every OCOP rule is judged on)."""
    from django.utils import timezone

    moment = now if now is not None else timezone.now()
    return moment.astimezone(PROGRAMME_TZ).date()


@dataclass(frozen=True)
class StarBand:
    stars: int
    min: Decimal
    max_exclusive: Decimal | None


@cache
def star_bands() -> tuple[StarBand, ...]:
    """Bands from the reference, highest first; each is the half-open interval [min, max)."""
    bands = [
        StarBand(
            stars=int(row["stars"]),
            min=Decimal(str(row["min"])),
            max_exclusive=None if row["max_exclusive"] is None else Decimal(str(row["max_exclusive"])),
        )
        for row in facts()["star_bands"]["bands"]
    ]
    return tuple(sorted(bands, key=lambda band: band.min, reverse=True))


def stars_for_score(score) -> int:
    """Stars for a council's total score (0–100): 90+ → 5, [70, 90) → 4, [50, 70) → 3, [30, 50) → 2, < 30 → 1.

    Raises ValueError for a score outside 0–100 (callers validate first and give a translated message).
    """
    value = Decimal(str(score))
    if value < 0 or value > SCORE_MAX:
        raise ValueError(f"score outside 0-100: {score}")
    for band in star_bands():
        if value >= band.min:
            return band.stars
    raise ValueError(f"no band for score {score}")  # unreachable: the lowest band starts at 0


def is_certified_stars(stars) -> bool:
    """Only 3, 4 and 5 stars are certified ("sản phẩm OCOP" = 3 sao trở lên)."""
    return stars in CERTIFIED_STARS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's last day (31/08 + 1 month → 30/09, 29/02 + 12 → 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_months() -> int:
    return int(facts()["certificate_validity_months"])


def certificate_expiry(decision_date: datetime.date, stars: int) -> datetime.date | None:
    """Decision date + 36 months for a certified rating (3–5 stars); None for 1–2 stars (no certificate).

    The certificate is valid up to the day before this date: on the expiry date it no longer holds.
    """
    if not is_certified_stars(stars):
        return None
    return add_months(decision_date, validity_months())


def certificate_is_valid(expires: datetime.date | None, today: datetime.date) -> bool:
    return expires is not None and expires > today


def certificate_state(stars, expires: datetime.date | None, today: datetime.date) -> str:
    """"valid", "expiring" (within 90 days), "expired", or "none" (not rated, or 1–2 stars)."""
    if not is_certified_stars(stars) or expires is None:
        return "none"
    if expires <= today:
        return "expired"
    if expires <= today + datetime.timedelta(days=EXPIRING_SOON_DAYS):
        return "expiring"
    return "valid"


# Rating regimes: QĐ 1048/QĐ-TTg (2019, amended by QĐ 781/QĐ-TTg 2020) until QĐ 148/QĐ-TTg of 24/02/2023.
REGIME_1048 = "1048"
REGIME_148 = "148"
REGIME_148_FROM = datetime.date(2023, 2, 24)


def regime_for(day: datetime.date) -> str:
    """The rating regime whose criteria and product groups apply on a date."""
    return REGIME_148 if day >= REGIME_148_FROM else REGIME_1048


def part_maxima(regime: str) -> dict[str, Decimal]:
    """Maxima of the score parts A, B, C: 35/25/40 under QĐ 1048, 40/25/35 under QĐ 148."""
    key = "parts_148_2023" if regime == REGIME_148 else "parts_1048_2019"
    parts = facts()["scoring"][key]
    return {part: Decimal(str(parts[part]["max"])) for part in ("A", "B", "C")}


@dataclass(frozen=True)
class CycleStepInfo:
    number: int
    name_vi: str
    name_en: str


@cache
def cycle_steps() -> tuple[CycleStepInfo, ...]:
    """The six steps of the annual OCOP cycle (QĐ 490/QĐ-TTg)."""
    return tuple(
        CycleStepInfo(number=int(row["step"]), name_vi=row["name_vi"], name_en=row["name_en"])
        for row in facts()["annual_cycle"]["steps"]
    )


@dataclass(frozen=True)
class GroupInfo:
    regime: str
    code: str
    name_vi: str
    name_en: str
    parent_code: str | None
    depth: int
    set_number: int | None
    is_selectable: bool
    position: int


def product_groups() -> list[GroupInfo]:
    """Product groups of both regimes, parents before children, from the reference file.

    QĐ 1048: the six groups ("ngành hàng"; its sub-groups are not known, so the groups are selectable).
    QĐ 148: six groups, their "nhóm" and "phân nhóm"; a nhóm or phân nhóm that carries a criteria set
    ("bộ sản phẩm", set_no) is what a product is classified under.
    """
    data = facts()
    rows: list[GroupInfo] = []
    for row in data["product_groups_2018_2019"]["groups"]:
        rows.append(GroupInfo(REGIME_1048, str(row["n"]), row["name_vi"], row["name_en"], None, 1, None, True, len(rows)))
    for group in data["product_groups_2023"]["groups"]:
        rows.append(GroupInfo(REGIME_148, group["code"], group["name_vi"], group["name_en"], None, 1, None, False, len(rows)))
        for nhom in group["nhom"]:
            set_no = nhom.get("set_no")
            rows.append(
                GroupInfo(REGIME_148, nhom["code"], nhom["name_vi"], "", group["code"], 2, set_no, set_no is not None, len(rows))
            )
            for phan in nhom.get("phan_nhom", []):
                rows.append(
                    GroupInfo(REGIME_148, phan["code"], phan["name_vi"], "", nhom["code"], 3, phan["set_no"], True, len(rows))
                )
    return rows


# Certification levels: QĐ 1489/QĐ-TTg of 06/07/2025 amends Phụ lục II of QĐ 148 after districts were
# abolished: from that day a rating is decided at province level (3-4 stars) or central level (5 stars); there
# is no district level. A district-level decision dated before that day stays valid.
TWO_LEVELS_FROM = datetime.date(2025, 7, 6)
LEVEL_DISTRICT, LEVEL_PROVINCE, LEVEL_CENTRAL = "district", "province", "central"


def levels_for(day: datetime.date) -> tuple[str, ...]:
    """The certification levels a rating decided on ``day`` may have."""
    if day >= TWO_LEVELS_FROM:
        return (LEVEL_PROVINCE, LEVEL_CENTRAL)
    return (LEVEL_DISTRICT, LEVEL_PROVINCE, LEVEL_CENTRAL)


# Flagship products ("sản phẩm chủ lực"): the seed notice has each district pick one among its OCOP
# products. On a two-level map (no districts, from 01/07/2025) no rule was found for what replaces it, so
# nothing does: no flagship per commune is invented; earlier district flagships stay as history.
def flagship_scope(*, has_district: bool) -> str | None:
    """The unit a flagship is chosen for: "district" on a map with districts, None (no flagship) without."""
    return "district" if has_district else None
