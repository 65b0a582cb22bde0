"""The administrative form of a report (Nghị định 30/2020/NĐ-CP, Phụ lục I): issuing body, number and
symbol, place and date, signature block, recipients, closing sentence.

Everything comes from the province's and the district's own names (``Tỉnh Lai Châu`` →
"ỦY BAN NHÂN DÂN" / "TỈNH LAI CHÂU"), never from a literal. ``heading`` builds the draft's form when the
snapshot is taken (``builders._document``); ``issued`` lays the issuing details (number, date, signer,
recipients) over a stored snapshot's form for the final document, and ``complete`` fills the keys that
snapshots stored before this form was introduced lack, from the snapshot's own province and district.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

# The symbol after the number: BC (báo cáo) - UBND (Ủy ban nhân dân), Phụ lục VI of the decree.
NUMBER_SYMBOL = "BC-UBND"
UNIT_PREFIXES = ("Tỉnh ", "Thành phố ", "Huyện ", "Thị xã ", "Quận ")

__all__ = [
    "NUMBER_SYMBOL",
    "Issue",
    "heading",
    "issued",
    "complete",
    "format_number",
    "date_parts",
    "signature_lines",
    "default_recipients",
]


@dataclass(frozen=True)
class Issue:
    """What province staff enter to issue a report (the final document's number, date, signer, recipients)."""

    number: str
    issued_on: datetime.date
    signer_name: str
    signer_capacity: str
    recipients: list[str]


def format_number(number: int, symbol: str = NUMBER_SYMBOL) -> str:
    """"05/BC-UBND": numbers below 10 take a leading zero (Phụ lục I, ô số 3)."""
    return f"{number:02d}/{symbol}"


def date_parts(day: datetime.date) -> dict:
    """Day, month and year as the decree writes them: days below 10 and the months January and February
    take a leading zero ("ngày 05 tháng 02 năm 2022", "ngày 15 tháng 7 năm 2021")."""
    return {
        "date": day.isoformat(),
        "date_day": f"{day.day:02d}",
        "date_month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "date_year": day.year,
    }


def _short(name: str) -> str:
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _unit_upper(name: str, default_prefix: str) -> str:
    """"Tỉnh Lai Châu" → "TỈNH LAI CHÂU"; a name without its kind gets ``default_prefix``."""
    if name.startswith(UNIT_PREFIXES):
        return name.upper()
    return f"{default_prefix} {name.upper()}"


def _unit_lower(name: str, default_prefix: str) -> str:
    """"Tỉnh Lai Châu" → "tỉnh Lai Châu" (inside a sentence)."""
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix):]
    return f"{default_prefix} {name}"


def _issuer(province_name: str, district_name: str | None) -> tuple[list[str], str, str]:
    """The issuing body's heading lines, its name in one line of capitals, and its name in a sentence."""
    committee = _("ỦY BAN NHÂN DÂN")
    if district_name:
        unit_upper, unit_lower = _unit_upper(district_name, _("HUYỆN")), _unit_lower(district_name, _("huyện"))
    else:
        unit_upper, unit_lower = _unit_upper(province_name, _("TỈNH")), _unit_lower(province_name, _("tỉnh"))
    lines = [committee, unit_upper]
    return lines, " ".join(lines), f"{_('Ủy ban nhân dân')} {unit_lower}"


def signature_lines(capacity: str | None) -> list[str]:
    """The authority and title above the signature (Phụ lục I, ô số 7a–7b): the Chair signs "TM. ỦY BAN NHÂN
    DÂN / CHỦ TỊCH"; a Vice Chair signs for the Chair "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"."""
    from .models import SignerCapacity

    if capacity == SignerCapacity.VICE_CHAIR:
        return [_("TM. ỦY BAN NHÂN DÂN"), _("KT. CHỦ TỊCH"), _("PHÓ CHỦ TỊCH")]
    return [_("TM. ỦY BAN NHÂN DÂN"), _("CHỦ TỊCH")]


def default_recipients(*, district: bool) -> list[str]:
    """"Nơi nhận" of a draft: each line starts with "-" in the PDF, ends with ";", the last ("Lưu") with "."."""
    if district:
        return [
            _("UBND tỉnh (b/c);"),
            _("Ban Chỉ đạo các Chương trình MTQG tỉnh (b/c);"),
            _("Văn phòng Điều phối nông thôn mới tỉnh;"),
            _("UBND các xã, thị trấn;"),
            _("Lưu: VT."),
        ]
    return [
        _("Bộ Nông nghiệp và PTNT (b/c);"),
        _("Văn phòng Điều phối nông thôn mới Trung ương (b/c);"),
        _("TT. Tỉnh ủy (b/c);"),
        _("TT. HĐND tỉnh (b/c);"),
        _("Lãnh đạo UBND tỉnh;"),
        _("Các Sở, ngành TV BCĐ CTMTQG tỉnh;"),
        _("UBND-BCĐ CTrNTM các huyện, TX, TP;"),
        _("Văn phòng Điều phối nông thôn mới tỉnh;"),
        _("Lưu: VT, KTN."),
    ]


def _period_phrase(period) -> str:
    return str(period.label) if period.half else _("năm %(year)d") % {"year": period.year}


def heading(*, period, province_name: str, district_name: str | None, district_kind_label: str | None,
            day: datetime.date) -> dict:
    """The draft's form (no number, no signer): the keys ``templates/reports/province_report.html`` reads."""
    lines, issuer, authority = _issuer(province_name, district_name)
    phrase = _period_phrase(period)
    return {
        "issuer": issuer,
        "issuer_lines": lines,
        "authority": authority,
        "number": "",
        "number_symbol": NUMBER_SYMBOL,
        "number_suffix": f"/{NUMBER_SYMBOL}",
        "place": _short(district_name or province_name),
        **date_parts(day),
        "final": False,
        "title": _("BÁO CÁO"),
        "subtitle": _("Kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới và Đề án OCOP %(period)s")
        % {"period": phrase},
        "closing": _(
            "Trên đây là báo cáo kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới và Đề án OCOP "
            "%(period)s của %(authority)s./."
        ) % {"period": phrase, "authority": authority},
        "scope_name": district_name or province_name,
        "scope_phrase": (
            _("toàn %(kind)s") % {"kind": district_kind_label.lower()} if district_name else _("toàn tỉnh")
        ),
        "signature": {"lines": signature_lines(None), "name": ""},
        "recipients": default_recipients(district=bool(district_name)),
    }


# Keys a snapshot stored before this form was introduced lacks (or holds abbreviated, like "UBND TỈNH …").
UPGRADED_KEYS = ("issuer", "issuer_lines", "authority", "number", "number_symbol", "number_suffix", "closing", "final")


def complete(snapshot: dict) -> dict:
    """The snapshot's form with every key of ``heading``: a snapshot stored before this form was introduced
    gets the missing ones from its own province and district names (figures and text are left as stored)."""
    from communes.periods import parse_period

    document = dict(snapshot.get("document") or {})
    if "issuer_lines" in document:
        return document
    district = snapshot.get("district")
    fresh = heading(
        period=parse_period(snapshot["period"]), province_name=(snapshot.get("province") or {}).get("name", ""),
        district_name=district["name"] if district else None, district_kind_label=_("huyện"),
        day=datetime.date.fromisoformat(document.get("date") or snapshot["data_cutoff_date"]),
    )
    for key, value in fresh.items():
        if key in UPGRADED_KEYS or key not in document:
            document[key] = value
    if "lines" not in (document.get("signature") or {}):
        document["signature"] = fresh["signature"]
    return document


def issued(document: dict, issue: Issue) -> dict:
    """The final document's form: the draft's, with the number, the date of issue, the signer and the
    recipients that province staff entered."""
    return {
        **document,
        "final": True,
        "number": issue.number,
        **date_parts(issue.issued_on),
        "signature": {"lines": signature_lines(issue.signer_capacity), "name": issue.signer_name},
        "recipients": list(issue.recipients),
    }
