"""The entry page: one commune, one period, one criteria set. Officers enter values (whole-page POST, or one
row at a time with HTMX); province staff review it read-only with approve / return / reopen / "cơ bản đạt"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scope import (
    can_edit_assessment,
    can_review_assessments,
    can_submit_assessment,
    get_assessment_for_read,
    get_commune_for_read,
    get_commune_for_write,
    get_evidence_for_download,
)
from communes.models import CommuneKind
from communes.periods import is_valid_period, parse_period
from communes.templatetags.ntm import number
from config.errors import ConflictError, LockedError

from .. import evaluation, selectors
from ..eligibility import is_assessed_for_ntm
from ..forms import AppraisalForm, WorkflowForm
from ..frame import Frame, build_frame
from ..models import AssessmentStatus, CriteriaSet, CriterionStatus, ValueType
from ..services import assessments as services
from ..services.groups import class_key
from ..services.groups import class_label as class_label_for

TEMPLATE = "criteria/assessment_edit.html"
SYMBOLS = {">=": "≥", "<=": "≤", "==": "="}


def _period(period: str) -> str:
    if not is_valid_period(period):
        raise Http404(_("Không tìm thấy."))
    return parse_period(period).code


def map_day(period: str):
    """The day whose map resolves a commune code in a period's URL: the frame's map date (the period's last day;
    codes are reused, so 03334 in 2021-H1 is Xã Thanh Xương and in 2026-H1 Phường Mường Thanh)."""
    return parse_period(period).end


def _frame(request, commune, period) -> Frame:
    """The frame of the page: the commune, the period and its set (or the set asked for with ``?set=``)."""
    try:
        frame = build_frame(
            period=period, today=timezone.localdate(), criteria_set=request.GET.get("set") or request.POST.get("set"),
            province=commune.province, communes=[commune],
        )
    except ValidationError:
        raise Http404(_("Không tìm thấy.")) from None
    if frame.criteria_set is None:
        raise Http404(_("Không tìm thấy."))
    return frame


def page_url(commune, period, criteria_set) -> str:
    return reverse("criteria:assessment-edit", args=[commune.code, period]) + "?" + urlencode({"set": criteria_set.code})


def _threshold_label(row) -> str:
    if row.judged:
        return _("Tự đánh giá")
    if row.indicator.value_type == ValueType.BOOLEAN:
        return "= " + (_("Có") if row.threshold == 1 else _("Không"))
    unit = "%" if row.indicator.value_type == ValueType.PERCENT else f" {row.indicator.unit}".rstrip()
    return f"{SYMBOLS[row.comparator]} {number(row.threshold)}{unit}"


def _decorate(rows, *, posted=None, errors=None):
    """Input values, labels and errors for each row (the template only displays them)."""
    posted = posted or {}
    errors = errors or {}
    for row in rows:
        code = row.indicator.code
        row.dom_id = code.replace(".", "-")
        row.threshold_label = _threshold_label(row)
        row.errors = errors.get(code, [])
        value = row.value
        if code in posted:
            row.input_value, row.input_met, row.input_note = posted[code]
        elif value is None:
            row.input_value, row.input_met, row.input_note = "", "", ""
        else:
            if row.indicator.value_type == ValueType.BOOLEAN:
                row.input_value = "" if value.value_bool is None else ("1" if value.value_bool else "0")
            else:
                row.input_value = "" if value.value_number is None else number(value.value_number)
            row.input_met = "" if value.judged_met is None else ("1" if value.judged_met else "0")
            row.input_note = value.note
        # A judged yes/no indicator has one control (Đạt / Không đạt); a judged number keeps its value as information.
        row.single_control = row.judged and row.indicator.value_type == ValueType.BOOLEAN
        row.display_value = _display_value(row)


def _display_value(row) -> str:
    value = row.value
    if value is None or value.value is None:
        return "–"
    if row.indicator.value_type == ValueType.BOOLEAN:
        return _("Có") if value.value_bool else _("Không")
    unit = "%" if row.indicator.value_type == ValueType.PERCENT else f" {row.indicator.unit}".rstrip()
    return f"{number(value.value_number)}{unit}"


def _context(request, *, commune, period, criteria_set, posted=None, errors=None, error_message="", frame=None):
    user = request.user
    catalogue = selectors.catalogue_for_set(criteria_set)
    assessment = selectors.assessment_find(user=user, commune=commune, period=period, criteria_set=criteria_set)
    if assessment is not None:
        assessment.commune = commune
    view = selectors.assessment_view(commune=commune, period=period, catalogue=catalogue, assessment=assessment)
    class_label = class_label_for(criteria_set, view.class_key)
    _decorate(view.rows, posted=posted, errors=errors)
    is_reviewer = can_review_assessments(user)
    status = assessment.status if assessment else AssessmentStatus.DRAFT
    may_write = can_edit_assessment(user, commune, period)
    editing = may_write and not is_reviewer and status in services.EDITABLE and is_assessed_for_ntm(commune)
    return {
        "commune": commune,
        "period": period,
        "period_label": parse_period(period).label,
        "criteria_set": criteria_set,
        "class_label": class_label,
        "frame": frame,
        "criteria_count": len(view.blocks),
        "criteria_sets": CriteriaSet.objects.order_by("code"),
        "assessment": assessment,
        "status": status,
        "view": view,
        "blocks": view.blocks,
        "editing": editing,
        "may_write": may_write,
        "can_submit": editing and assessment is not None and can_submit_assessment(user, assessment),
        "is_reviewer": is_reviewer and assessment is not None,
        "can_appraise": is_reviewer and assessment is not None and status != AssessmentStatus.APPROVED,
        "needs_reevaluation": is_reviewer and assessment is not None
        and status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED)
        and assessment.set_version < criteria_set.version,
        "not_rural": commune.kind != CommuneKind.COMMUNE,
        "page_url": page_url(commune, period, criteria_set),
        "row_url_base": reverse("criteria:assessment-edit", args=[commune.code, period]),
        "transitions": selectors.assessment_transitions(assessment) if assessment else [],
        "appraisals": selectors.assessment_appraisals(assessment) if assessment else [],
        "error_message": error_message,
        "errors": errors or {},
        "BASICALLY_MET": CriterionStatus.BASICALLY_MET,
        "MET": CriterionStatus.MET,
    }


def _entries(request, indicators, region):
    """Entries for the service and the raw inputs (to show again on an error) from the posted form."""
    entries, posted = [], {}
    for indicator in indicators:
        code = indicator.code
        if not any(f"{prefix}-{code}" in request.POST for prefix in "vmn") and f"e-{code}" not in request.FILES:
            continue
        raw = request.POST.get(f"v-{code}", "").strip()
        note = request.POST.get(f"n-{code}", "").strip()
        met = request.POST.get(f"m-{code}", "").strip()
        entry = {"indicator": code, "note": note}
        judged = evaluation.is_judged(indicator, region)
        if not (judged and indicator.value_type == ValueType.BOOLEAN):
            entry["value"] = raw  # a judged yes/no indicator has only the Đạt / Không đạt control
        if judged and met in ("1", "0"):
            entry["met"] = met == "1"
        if request.FILES.get(f"e-{code}"):
            entry["evidence"] = request.FILES[f"e-{code}"]
        entries.append(entry)
        posted[code] = (raw, met, note)
    return entries, posted


def _version(request):
    raw = request.POST.get("version", "").strip()
    return int(raw) if raw.isdigit() else None


def _errors_by_code(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, code, period):
    """GET: the page. POST (no JavaScript): save every value of the form, then submit when asked."""
    period = _period(period)
    if request.method == "GET":
        commune = get_commune_for_read(request.user, code, map_day(period))
        frame = _frame(request, commune, period)
        return render(request, TEMPLATE, _context(
            request, commune=commune, period=period, criteria_set=frame.criteria_set, frame=frame,
        ))

    commune = get_commune_for_write(request.user, code, map_day(period))
    frame = _frame(request, commune, period)
    criteria_set = frame.criteria_set
    catalogue = selectors.catalogue_for_set(criteria_set)
    entries, posted = _entries(request, catalogue.indicators, class_key(criteria_set, commune, period))
    try:
        assessment = services.assessment_values_save(
            commune=commune, period=period, criteria_set=criteria_set, entries=entries, by=request.user,
            expected_version=_version(request), source="web", catalogue=catalogue,
        )
    except ValidationError as exc:
        errors = _errors_by_code(exc)
        message = _("Chưa lưu: có %(count)d chỉ tiêu nhập chưa đúng (xem các dòng tô đỏ).") % {"count": len(errors)}
        if "version" in errors:
            message = errors["version"][0]
        if "commune" in errors:  # a ward or thị trấn: not assessed for NTM
            message = errors["commune"][0]
        context = _context(request, commune=commune, period=period, criteria_set=criteria_set, frame=frame, posted=posted,
                           errors=errors, error_message=message)
        return render(request, TEMPLATE, context, status=400)
    except ConflictError as exc:
        context = _context(request, commune=commune, period=period, criteria_set=criteria_set, frame=frame,
                           error_message=exc.message + " " + _("Không có gì được lưu; số liệu dưới đây là số liệu mới nhất."))
        return render(request, TEMPLATE, context, status=409)
    except LockedError as exc:
        context = _context(request, commune=commune, period=period, criteria_set=criteria_set, frame=frame, error_message=exc.message)
        return render(request, TEMPLATE, context, status=423)
    if request.POST.get("action") == "submit":
        try:
            services.assessment_submit(assessment=assessment, by=request.user, expected_version=assessment.version)
        except (ValidationError, ConflictError, LockedError) as exc:
            detail = getattr(exc, "message", None) or " ".join(exc.messages)
            messages.warning(request, _("Đã lưu nháp nhưng chưa gửi duyệt được: %(detail)s") % {"detail": detail})
        else:
            messages.success(request, _("Đã lưu và gửi tỉnh duyệt."))
    else:
        messages.success(request, _("Đã lưu nháp."))
    return redirect(page_url(commune, period, criteria_set))


@login_required
@require_POST
def assessment_row(request, code, period, indicator):
    """HTMX: save one indicator row and answer with the row partial (+ version, criterion and score, out of band)."""
    period = _period(period)
    commune = get_commune_for_write(request.user, code, map_day(period))
    frame = _frame(request, commune, period)
    criteria_set = frame.criteria_set
    catalogue = selectors.catalogue_for_set(criteria_set)
    target = catalogue.by_code.get(indicator)
    if target is None:
        raise Http404(_("Không tìm thấy."))
    entries, posted = _entries(request, [target], class_key(criteria_set, commune, period))
    errors, message = {}, ""
    try:
        services.assessment_values_save(
            commune=commune, period=period, criteria_set=criteria_set, entries=entries, by=request.user,
            expected_version=_version(request), source="web", catalogue=catalogue,
        )
        posted = {}
    except ValidationError as exc:
        errors = _errors_by_code(exc)
        if "version" in errors:
            message = errors["version"][0]
    except (ConflictError, LockedError) as exc:
        message = exc.message + " " + _("Không có gì được lưu.")
        posted = {}
    if not request.htmx:
        if message or errors:
            messages.error(request, message or _("Chưa lưu: giá trị nhập chưa đúng."))
        return redirect(page_url(commune, period, criteria_set))
    context = _context(request, commune=commune, period=period, criteria_set=criteria_set, frame=frame, posted=posted,
                       errors=errors, error_message=message)
    row = next(r for r in context["view"].rows if r.indicator.code == indicator)
    block = next(b for b in context["blocks"] if b.criterion.pk == row.indicator.criterion_id)
    context.update(row=row, block=block, row_message=message)
    return render(request, TEMPLATE + "#row-response", context)


@login_required
@require_POST
def assessment_workflow(request, code, period):
    """Submit / approve / return (with a comment) / reopen, then back to the page with a message."""
    period = _period(period)
    commune = get_commune_for_read(request.user, code, map_day(period))
    frame = _frame(request, commune, period)
    criteria_set = frame.criteria_set
    assessment = get_assessment_for_read(request.user, commune=commune, period=period, criteria_set=criteria_set)
    form = WorkflowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect(page_url(commune, period, criteria_set))
    data = form.cleaned_data
    try:
        services.assessment_transition(
            assessment=assessment, action=data["action"], by=request.user, comment=data["comment"],
            expected_version=data["version"],
        )
    except (ValidationError, ConflictError, LockedError) as exc:
        detail = getattr(exc, "message", None) or " ".join(exc.messages)
        messages.error(request, detail)
    else:
        messages.success(request, {
            "submit": _("Đã gửi tỉnh duyệt."), "approve": _("Đã duyệt đánh giá."),
            "return": _("Đã trả lại đánh giá cho huyện."), "reopen": _("Đã mở lại đánh giá."),
        }[data["action"]])
    return redirect(page_url(commune, period, criteria_set))


@login_required
@require_POST
def criterion_appraise(request, code, period, number):
    """Province staff record or withdraw "cơ bản đạt" on a criterion that is not met."""
    period = _period(period)
    commune = get_commune_for_read(request.user, code, map_day(period))
    frame = _frame(request, commune, period)
    criteria_set = frame.criteria_set
    assessment = get_assessment_for_read(request.user, commune=commune, period=period, criteria_set=criteria_set)
    form = AppraisalForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.criterion_appraise(
            assessment=assessment, number=number, basically_met=data.get("basically_met", False),
            note=data.get("note", ""), by=request.user, expected_version=data.get("version"),
        )
    except (ValidationError, ConflictError, LockedError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật đánh giá tiêu chí %(number)d.") % {"number": number})
    return redirect(page_url(commune, period, criteria_set) + f"#crit-{number}")


@login_required
@require_GET
def evidence_download(request, value_id):
    """An evidence file, to the users ``get_evidence_for_download`` allows (403 otherwise); never served from MEDIA_ROOT."""
    value = get_evidence_for_download(request.user, value_id)
    name = value.evidence.name.rsplit("/", 1)[-1]
    return FileResponse(value.evidence.open("rb"), as_attachment=True, filename=name)
