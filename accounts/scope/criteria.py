"""Scope rules for criteria and assessments.

Everyone signed in reads every assessment of the province. Values are written by the district officers of
the commune's district (or of communes assigned to them) for periods whose map still has that district, by the
commune officers of the commune for periods whose map contains it, and by province staff; submitting follows
the same rule; approving, returning, reopening, the "cơ bản đạt" appraisal and catalogue edits are province staff's.
Evidence files (household lists, photos: personal data) are narrower: province staff and leaders download
every commune's, an officer only those of the communes in their scope (``communes_writable_by``), anyone
else gets a 403. Pages, the API, the Excel exchange and evidence downloads fetch assessments only through
these functions.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from communes.models import Commune
from criteria.models import Assessment, IndicatorValue

from .roles import is_commune_officer, is_district_officer, is_leader, is_province_staff, is_reader
from .units import can_write_commune, can_write_district, communes_writable_by, get_commune_for_read

__all__ = [
    "assessments_visible_to",
    "assessments_writable_by",
    "can_edit_assessment",
    "can_submit_assessment",
    "can_review_assessments",
    "can_edit_catalogue",
    "can_manage_commune_groups",
    "can_exchange_excel",
    "get_assessment_for_read",
    "get_assessment_for_write",
    "can_download_evidence",
    "get_evidence_for_download",
]


def assessments_visible_to(user):
    """Assessments the user may read: all of them for a signed-in user, none otherwise."""
    if not is_reader(user):
        return Assessment.objects.none()
    return Assessment.objects.all()


def assessments_writable_by(user):
    """Assessments whose values the user may change (the communes of ``communes_writable_by``)."""
    if is_province_staff(user):
        return Assessment.objects.all()
    if not (is_district_officer(user) or is_commune_officer(user)):
        return Assessment.objects.none()
    return Assessment.objects.filter(commune__in=communes_writable_by(user))


def _map_date(period):
    """The map date of a period (its last day: the frame's rule), or None when no period is given."""
    if period is None:
        return None
    if hasattr(period, "end"):
        return period.end
    from communes.periods import parse_period

    return parse_period(period).end


def can_edit_assessment(user, commune: Commune, period=None) -> bool:
    """May the user enter values for this commune (for ``period``, on its map)? Province staff; an officer of
    its district while the district is on the period's map; a commune officer of the commune."""
    return can_write_commune(user, commune, on=_map_date(period))


def can_submit_assessment(user, assessment: Assessment) -> bool:
    """Submit for review: whoever may enter the assessment's values for its period (``can_edit_assessment``)."""
    return can_write_commune(user, assessment.commune, on=_map_date(assessment.period))


def can_review_assessments(user) -> bool:
    """Approve, return, reopen and record "cơ bản đạt": province staff (and admins) only."""
    return is_province_staff(user)


def can_edit_catalogue(user) -> bool:
    """Edit indicator texts, comparators, thresholds and risk margins: province staff only."""
    return is_province_staff(user)


def can_manage_commune_groups(user) -> bool:
    """Set communes' groups (one by one or by import) and record the classifying decisions: province staff only."""
    return is_province_staff(user)


def can_exchange_excel(user, district) -> bool:
    """Download/upload the Excel workbook of a district: its officers and province staff."""
    return can_write_district(user, district)


def _commune(user, commune) -> Commune:
    if isinstance(commune, Commune):
        return commune
    return get_commune_for_read(user, commune)


def get_assessment_for_read(user, *, commune, period: str, criteria_set) -> Assessment:
    """The assessment of a commune (object or code) for a period and set, or Http404 (missing or invisible)."""
    commune = _commune(user, commune)
    assessment = (
        assessments_visible_to(user)
        .select_related("commune__province", "commune__district", "criteria_set")
        .filter(commune=commune, period=period, criteria_set=criteria_set)
        .first()
    )
    if assessment is None:
        raise Http404(_("Không tìm thấy."))
    return assessment


def get_assessment_for_write(user, *, commune, period: str, criteria_set) -> Assessment:
    """As ``get_assessment_for_read``, and PermissionDenied (403) when the user may not change its values."""
    assessment = get_assessment_for_read(user, commune=commune, period=period, criteria_set=criteria_set)
    if not can_edit_assessment(user, assessment.commune):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu ngoài phạm vi được giao."))
    return assessment


def can_download_evidence(user, commune: Commune) -> bool:
    """May the user download this commune's evidence files? Province staff and leaders: every commune;
    officers: the communes they may write (``can_write_commune``, so a scope by district or by a list of
    communes); agency officers and everyone else: none."""
    if is_province_staff(user) or is_leader(user):
        return True
    return can_write_commune(user, commune)


def get_evidence_for_download(user, value_id: int) -> IndicatorValue:
    """An indicator value with an evidence file the user may download.

    Http404 when there is no such file or the user cannot read the assessment at all; PermissionDenied
    (403) when the user reads the assessment but the commune lies outside their evidence scope
    (``can_download_evidence``).
    """
    value = (
        IndicatorValue.objects.select_related("assessment__commune", "indicator")
        .filter(pk=value_id, assessment__in=assessments_visible_to(user))
        .exclude(evidence="")
        .first()
    )
    if value is None:
        raise Http404(_("Không tìm thấy."))
    if not can_download_evidence(user, value.assessment.commune):
        raise PermissionDenied(_("Tệp minh chứng chỉ tải được bởi cán bộ phụ trách xã này, Văn phòng điều phối tỉnh và lãnh đạo."))
    return value
