"""Authoring a set in the browser (province staff): the draft of the next version, publishing, the versions
with what changed between two of them, YAML/.xlsx export and import, and re-evaluating a reviewed assessment
under the current version."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scope import (
    can_edit_catalogue,
    can_review_assessments,
    get_assessment_for_read,
    get_commune_for_read,
)
from communes.models import Region
from config.errors import ConflictError
from config.forms import apply_service_errors

from ..forms import DraftCriterionForm, DraftIndicatorForm, PublishForm, SetFileForm
from ..models import ALL_REGIONS, CriteriaSet, CriteriaSetVersion
from ..services import authoring
from ..services.assessments import assessment_reevaluate
from ..services.catalogue import CatalogueImportError
from ..services.set_xlsx import document_from_xlsx, document_xlsx

MAX_SET_FILE_BYTES = 2 * 1024 * 1024


def _staff_set(request, set_code) -> CriteriaSet:
    if not can_edit_catalogue(request.user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được soạn và công bố bộ tiêu chí."))
    return get_object_or_404(CriteriaSet, code=set_code)


def threshold_keys(criteria_set) -> list[tuple[str, str]]:
    keys = [(ALL_REGIONS, _("mọi xã (*)"))]
    if criteria_set.by_group:
        return keys + [(code, criteria_set.group_name(code)) for code in criteria_set.group_codes]
    return keys + list(Region.choices)


def _indicator_initial(document, code):
    for criterion in document["criteria"]:
        for indicator in criterion.get("indicators") or []:
            if indicator["code"] == code and indicator.get("placeholder"):
                # the placeholder is not edited: its criterion gets its first real indicator instead
                return {"criterion": criterion["number"], "value_kind": "percent"}
            if indicator["code"] == code:
                threshold = indicator.get("threshold") or {}
                source = indicator.get("source") or {}
                initial = {
                    "criterion": criterion["number"], "code": code, "text": indicator["text_vi"],
                    "value_kind": indicator["value_kind"], "unit": indicator.get("unit", ""),
                    "comparator": indicator.get("op") or "", "risk_margin": indicator.get("risk_margin"),
                    "evidence_required": indicator.get("evidence_required", False),
                    "source_document": source.get("document", ""), "source_date": source.get("date"),
                    "source_quote": source.get("quote", ""), "requirement_text": indicator.get("requirement_text", ""),
                    "original": code,
                }
                if "all_regions" in threshold:
                    initial[f"t_{ALL_REGIONS}"] = threshold["all_regions"]
                for key, value in (threshold.get("by_group") or threshold.get("by_region") or {}).items():
                    initial[f"t_{key}"] = value
                return initial
    return None


def _rows(document):
    """The draft's criteria with their indicators, for display."""
    rows = []
    for criterion in document["criteria"]:
        indicators = [dict(i) for i in criterion.get("indicators") or []]
        for indicator in indicators:
            day = (indicator.get("source") or {}).get("date")
            indicator["source_day"] = datetime.date.fromisoformat(day) if day else None
        rows.append({"criterion": criterion, "indicators": indicators,
                     "placeholder_only": all(i.get("placeholder") for i in indicators)})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def set_draft(request, set_code):
    """GET: the draft (started from the current version on first visit) with its forms. POST ``action``:
    criterion-save, criterion-remove, indicator-save, indicator-remove, indicator-up/down, import, publish,
    discard. Every refused change leaves the draft as it was and shows why (400)."""
    criteria_set = _staff_set(request, set_code)
    keys = threshold_keys(criteria_set)
    url = reverse("criteria:set-draft", args=[criteria_set.code])
    criterion_form = DraftCriterionForm()
    indicator_form = DraftIndicatorForm(keys=keys)
    file_form, publish_form = SetFileForm(), PublishForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "criterion-save":
                criterion_form = DraftCriterionForm(request.POST)
                if criterion_form.is_valid():
                    data = criterion_form.cleaned_data
                    authoring.draft_criterion_save(criteria_set=criteria_set, by=request.user, number=data["number"],
                                                   name=data["name"], group=data["group"], original=data["original"])
                    messages.success(request, _("Đã lưu tiêu chí %(number)d vào bản nháp.") % {"number": data["number"]})
                    return redirect(url)
            elif action == "criterion-remove":
                authoring.draft_criterion_remove(criteria_set=criteria_set, by=request.user,
                                                 number=int(request.POST.get("number", "0") or 0))
                return redirect(url)
            elif action == "indicator-save":
                indicator_form = DraftIndicatorForm(request.POST, keys=keys)
                if indicator_form.is_valid():
                    data = indicator_form.cleaned_data
                    authoring.draft_indicator_save(
                        criteria_set=criteria_set, by=request.user, criterion_number=data["criterion"],
                        original=data["original"] or None,
                        data=authoring.IndicatorInput(
                            code=data["code"], text=data["text"], value_kind=data["value_kind"], unit=data["unit"],
                            comparator=data["comparator"].strip() or None, thresholds=indicator_form.thresholds(),
                            risk_margin=data["risk_margin"], evidence_required=data["evidence_required"],
                            source_document=data["source_document"], source_date=data["source_date"],
                            source_quote=data["source_quote"], requirement_text=data["requirement_text"],
                        ),
                    )
                    messages.success(request, _("Đã lưu chỉ tiêu %(code)s vào bản nháp.") % {"code": data["code"]})
                    return redirect(url)
            elif action == "indicator-remove":
                authoring.draft_indicator_remove(criteria_set=criteria_set, by=request.user, code=request.POST.get("code", ""))
                return redirect(url)
            elif action in ("indicator-up", "indicator-down"):
                authoring.draft_indicator_move(criteria_set=criteria_set, by=request.user, code=request.POST.get("code", ""),
                                               step=-1 if action == "indicator-up" else 1)
                return redirect(url)
            elif action == "import":
                file_form = SetFileForm(request.POST, request.FILES)
                if file_form.is_valid():
                    upload = file_form.cleaned_data["file"]
                    if upload.size > MAX_SET_FILE_BYTES:
                        raise CatalogueImportError([_("Tệp quá lớn (tối đa 2 MB).")])
                    content = upload.read()
                    if upload.name.lower().endswith(".xlsx"):
                        document = document_from_xlsx(content)
                    else:
                        document = authoring.document_from_yaml(content.decode("utf-8", errors="replace"))
                    authoring.draft_import(criteria_set=criteria_set, by=request.user, document=document)
                    messages.success(request, _("Đã nhập tệp vào bản nháp."))
                    return redirect(url)
            elif action == "publish":
                publish_form = PublishForm(request.POST)
                if publish_form.is_valid():
                    version = authoring.draft_publish(criteria_set=criteria_set, by=request.user,
                                                      note=publish_form.cleaned_data["note"])
                    messages.success(request, _("Đã công bố phiên bản %(number)d.") % {"number": version.number})
                    return redirect(reverse("criteria:set-versions", args=[criteria_set.code]))
            elif action == "discard":
                authoring.draft_discard(criteria_set=criteria_set, by=request.user)
                messages.success(request, _("Đã huỷ bản nháp."))
                return redirect(reverse("criteria:catalogue") + f"?set={criteria_set.code}")
            else:
                errors = [_("Thao tác không hợp lệ.")]
        except CatalogueImportError as error:
            errors = error.errors
        except ValidationError as error:
            if action == "indicator-save":
                apply_service_errors(indicator_form, error)
            elif action == "criterion-save":
                apply_service_errors(criterion_form, error)
            errors = [m for messages_ in getattr(error, "message_dict", {"__all__": error.messages}).values()
                      for m in messages_]
        status = 400
    draft = authoring.draft_get(criteria_set)
    base = authoring.version_ensure(criteria_set).document
    document = draft.document if draft is not None else base
    edit = request.GET.get("edit")
    if edit and request.method == "GET":
        initial = _indicator_initial(document, edit)
        if initial is None:
            raise Http404(_("Không tìm thấy."))
        indicator_form = DraftIndicatorForm(initial=initial, keys=keys)
    elif request.GET.get("criterion") and request.method == "GET":
        indicator_form = DraftIndicatorForm(initial={"criterion": request.GET["criterion"], "value_kind": "percent"},
                                            keys=keys)
    return render(request, "criteria/set_draft.html", {
        "criteria_set": criteria_set, "draft": draft, "rows": _rows(document), "diff": authoring.document_diff(base, document),
        "criterion_form": criterion_form, "indicator_form": indicator_form, "file_form": file_form,
        "publish_form": publish_form, "errors": errors, "editing": edit,
    }, status=status)


@login_required
@require_GET
def set_versions(request, set_code):
    """Every published version of a set; ``?a=N&b=M`` (M may be "draft") shows what changed from a to b."""
    criteria_set = get_object_or_404(CriteriaSet, code=set_code)
    authoring.version_ensure(criteria_set)
    versions = list(CriteriaSetVersion.objects.filter(criteria_set=criteria_set).select_related("published_by")
                    .order_by("-number"))
    documents = {str(v.number): v.document for v in versions}
    draft = authoring.draft_get(criteria_set) if can_edit_catalogue(request.user) else None
    if draft is not None:
        documents["draft"] = draft.document
    a = request.GET.get("a") or (str(versions[1].number) if len(versions) > 1 else str(versions[0].number))
    b = request.GET.get("b") or str(versions[0].number)
    if a not in documents or b not in documents:
        raise Http404(_("Không tìm thấy."))
    return render(request, "criteria/set_versions.html", {
        "criteria_set": criteria_set, "versions": versions, "a": a, "b": b, "choices": list(documents),
        "diff": authoring.document_diff(documents[a], documents[b]), "can_edit": can_edit_catalogue(request.user),
    })


@login_required
@require_GET
def set_export(request, set_code):
    """The set (``?version=N``, default the current one; ``draft`` for province staff) as YAML or .xlsx."""
    criteria_set = get_object_or_404(CriteriaSet, code=set_code)
    wanted = request.GET.get("version") or ""
    if wanted == "draft":
        draft = authoring.draft_get(criteria_set) if can_edit_catalogue(request.user) else None
        if draft is None:
            raise Http404(_("Không tìm thấy."))
        document, label = draft.document, "nhap"
    elif wanted:
        version = CriteriaSetVersion.objects.filter(criteria_set=criteria_set, number=wanted if wanted.isdigit() else 0).first()
        if version is None:
            raise Http404(_("Không tìm thấy."))
        document, label = version.document, f"v{version.number}"
    else:
        document, label = authoring.set_document(criteria_set), f"v{criteria_set.version}"
    name = f"bo-tieu-chi-{criteria_set.code}-{label}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(document_xlsx(document),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(authoring.document_yaml(document), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
    return response


@login_required
@require_POST
def assessment_reevaluate_view(request, code, period):
    """Province staff re-evaluate a submitted or approved assessment under the current version (recorded)."""
    if not can_review_assessments(request.user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được đánh giá lại theo phiên bản mới."))
    commune = get_commune_for_read(request.user, code)
    criteria_set = get_object_or_404(CriteriaSet, code=request.POST.get("set", ""))
    assessment = get_assessment_for_read(request.user, commune=commune, period=period, criteria_set=criteria_set)
    version = request.POST.get("version", "")
    try:
        done = assessment_reevaluate(assessment=assessment, by=request.user, note=request.POST.get("note", ""),
                                     expected_version=int(version) if version.isdigit() else None)
    except (ValidationError, ConflictError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, _("Đã đánh giá lại theo phiên bản %(version)d: %(old)d → %(new)d tiêu chí đạt.")
                         % {"version": done.to_version, "old": done.old_met_count, "new": done.new_met_count})
    from .assessment import page_url

    return redirect(page_url(commune, period, criteria_set))
