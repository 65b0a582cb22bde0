"""Writes to directives: agencies, documents, tasks, progress updates, recommendations and responses.

Every function is keyword-only and atomic: on any error (``ValidationError`` with translated messages,
``PermissionDenied`` for a user outside the scope) nothing is saved. Agencies and districts are named by
code; deadlines by a date or by a label that ``directives.deadlines`` can read.
"""

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import get_task_for_update, require_directives_manager
from communes.models import Commune, District
from config.errors import ConflictError

from .deadlines import is_standing_label, parse_due_label
from .models import Agency, AgencyKind, Document, DocumentKind, Recommendation, Task, TaskStatus, TaskUpdate

ALLOWED_FILE_EXTENSIONS = {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".jpg", ".jpeg", ".png"}
DUE_LABEL_MAX_LENGTH = Task._meta.get_field("due_label").max_length


class _Errors(dict):
    """Collects field messages; ``raise_if_any()`` raises them all at once as one ValidationError."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _clean_text(value) -> str:
    return (value or "").strip()


def _check_file(errors: _Errors, field: str, upload) -> None:
    if not upload:
        return
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_FILE_EXTENSIONS:
        errors.add(
            field,
            _("Tệp “%(name)s” không được nhận; chỉ nhận %(extensions)s.")
            % {"name": upload.name, "extensions": ", ".join(sorted(ALLOWED_FILE_EXTENSIONS))},
        )
    if upload.size > settings.NTM_MAX_UPLOAD_BYTES:
        errors.add(
            field,
            _("Tệp “%(name)s” quá lớn (tối đa %(limit)s MB).")
            % {"name": upload.name, "limit": settings.NTM_MAX_UPLOAD_BYTES // (1024 * 1024)},
        )


def _agencies_by_code(errors: _Errors, field: str, codes: Iterable[str]) -> list[Agency]:
    """Agencies for the codes, in the order given; each unknown code is an error naming it."""
    wanted = [_clean_text(code) for code in codes if _clean_text(code)]
    found = {agency.code: agency for agency in Agency.objects.filter(code__in=wanted)}
    result = []
    for code in wanted:
        if code not in found:
            errors.add(field, _("Không có cơ quan mã “%(code)s”.") % {"code": code})
        elif found[code] not in result:
            result.append(found[code])
    return result


def _districts_by_code(errors: _Errors, field: str, codes: Iterable[str]) -> list[District]:
    wanted = [_clean_text(code) for code in codes if _clean_text(code)]
    found = {district.code: district for district in District.objects.filter(code__in=wanted)}
    result = []
    for code in wanted:
        if code not in found:
            errors.add(field, _("Không có huyện mã “%(code)s”.") % {"code": code})
        elif found[code] not in result:
            result.append(found[code])
    return result


def _valid_on(day: date) -> Q:
    """Units valid on ``day`` (valid_from ≤ day ≤ valid_to; open ends count)."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def assignment_day(document: Document | None) -> date:
    """The day a task is given on, whose map of units applies: the document's date, else today."""
    return document.date if document is not None and document.date else timezone.localdate()


def _communes_by_code(errors: _Errors, field: str, codes: Iterable[str], day: date) -> list[Commune]:
    """Communes for the codes, each resolved to the unit valid on ``day`` (a code can name another unit on
    another day); an unknown code, or one naming no unit that day, is an error naming it."""
    wanted = [_clean_text(code) for code in codes if _clean_text(code)]
    found = {commune.code: commune for commune in Commune.objects.filter(_valid_on(day), code__in=wanted)}
    result = []
    for code in wanted:
        if code not in found:
            errors.add(field, _("Không có xã mã “%(code)s” trên bản đồ đơn vị hành chính ngày %(day)s.")
                       % {"code": code, "day": day.strftime("%d/%m/%Y")})
        elif found[code] not in result:
            result.append(found[code])
    return result


def _check_districts_on_map(errors: _Errors, field: str, districts: list[District], day: date) -> None:
    """A district named for a task must exist on the day the task is given: after the 2025 reform there are
    no districts and a new task is assigned to communes (a task given before keeps its districts)."""
    for district in districts:
        if (district.valid_from and district.valid_from > day) or (district.valid_to and district.valid_to < day):
            errors.add(field, _("%(district)s không còn trên bản đồ đơn vị hành chính ngày %(day)s (từ 01/07/2025 "
                                "không còn cấp huyện): hãy giao nhiệm vụ cho xã.")
                       % {"district": district.name, "day": day.strftime("%d/%m/%Y")})


# --- agencies ------------------------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, by, code: str, name: str, kind: str = AgencyKind.DEPARTMENT, district_code: str = "") -> Agency:
    """Create an agency. Province staff only (``PermissionDenied``).

    Raises ValidationError for an empty or taken code, an empty name, an unknown kind or district, and a
    district people's committee without its district.
    """
    require_directives_manager(by)
    errors = _Errors()
    code, name = _clean_text(code), _clean_text(name)
    if not code:
        errors.add("code", _("Hãy nhập mã cơ quan."))
    elif Agency.objects.filter(code__iexact=code).exists():
        errors.add("code", _("Mã cơ quan “%(code)s” đã có.") % {"code": code})
    if not name:
        errors.add("name", _("Hãy nhập tên cơ quan."))
    if kind not in AgencyKind.values:
        errors.add("kind", _("Loại cơ quan không hợp lệ: %(kind)s.") % {"kind": kind})
    district = None
    if district_code:
        districts = _districts_by_code(errors, "district", [district_code])
        district = districts[0] if districts else None
    if kind == AgencyKind.DISTRICT_COMMITTEE and district is None and "district" not in errors:
        errors.add("district", _("UBND cấp huyện phải gắn với một huyện."))
    errors.raise_if_any()
    return Agency.objects.create(code=code, name=name, kind=kind, district=district)


@transaction.atomic
def agency_update(*, by, agency: Agency, name: str, kind: str, district_code: str = "") -> Agency:
    """Rename an agency or change its kind or district (the code never changes). Same rules as create."""
    require_directives_manager(by)
    errors = _Errors()
    name = _clean_text(name)
    if not name:
        errors.add("name", _("Hãy nhập tên cơ quan."))
    if kind not in AgencyKind.values:
        errors.add("kind", _("Loại cơ quan không hợp lệ: %(kind)s.") % {"kind": kind})
    districts = _districts_by_code(errors, "district", [district_code]) if district_code else []
    if kind == AgencyKind.DISTRICT_COMMITTEE and not districts and "district" not in errors:
        errors.add("district", _("UBND cấp huyện phải gắn với một huyện."))
    errors.raise_if_any()
    agency.name, agency.kind, agency.district = name, kind, (districts[0] if districts else None)
    agency.save(update_fields=["name", "kind", "district"])
    return agency


# --- documents -----------------------------------------------------------------------------------------


def _check_document(errors: _Errors, *, number, kind, issuer, title, document_date, exclude_pk=None) -> None:
    if not number:
        errors.add("number", _("Hãy nhập số, ký hiệu văn bản (ví dụ 63/TB-UBND)."))
    if kind not in DocumentKind.values:
        errors.add("kind", _("Loại văn bản không hợp lệ: %(kind)s.") % {"kind": kind})
    if not issuer:
        errors.add("issuer", _("Hãy nhập cơ quan ban hành (ví dụ UBND tỉnh)."))
    if not title:
        errors.add("title", _("Hãy nhập trích yếu văn bản."))
    if number:
        same = Document.objects.filter(number__iexact=number, date=document_date)
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            errors.add("number", _("Văn bản số %(number)s cùng ngày ban hành đã có.") % {"number": number})


@transaction.atomic
def document_create(
    *, by, number: str, kind: str, date: date | None, issuer: str, title: str, summary: str = "", file=None
) -> Document:
    """Enter a directive document. Province staff only (``PermissionDenied``).

    Raises ValidationError for a missing number, issuer or title, an unknown kind, a document with the same
    number and date already entered, or an attached file of the wrong type or too large.
    """
    require_directives_manager(by)
    errors = _Errors()
    number, issuer, title = _clean_text(number), _clean_text(issuer), _clean_text(title)
    _check_document(errors, number=number, kind=kind, issuer=issuer, title=title, document_date=date)
    _check_file(errors, "file", file)
    errors.raise_if_any()
    document = Document(
        number=number, kind=kind, date=date, issuer=issuer, title=title, summary=_clean_text(summary), created_by=by
    )
    if file:
        document.file = file
    document.save()
    return document


@transaction.atomic
def document_update(
    *, by, document: Document, number: str, kind: str, date: date | None, issuer: str, title: str,
    summary: str = "", file=None,
) -> Document:
    """Change a document's fields (and replace its file when one is given). Same rules as ``document_create``."""
    require_directives_manager(by)
    errors = _Errors()
    number, issuer, title = _clean_text(number), _clean_text(issuer), _clean_text(title)
    _check_document(
        errors, number=number, kind=kind, issuer=issuer, title=title, document_date=date, exclude_pk=document.pk
    )
    _check_file(errors, "file", file)
    errors.raise_if_any()
    document.number, document.kind, document.date = number, kind, date
    document.issuer, document.title, document.summary = issuer, title, _clean_text(summary)
    fields = ["number", "kind", "date", "issuer", "title", "summary", "updated_at"]
    if file:
        document.file = file
        fields.append("file")
    document.save(update_fields=fields)
    return document


# --- tasks ---------------------------------------------------------------------------------------------


def _resolve_deadline(errors: _Errors, due_date: date | None, due_label: str) -> tuple[date | None, str]:
    """(due_date, due_label) from a date, a label, or both (which must agree). Neither: no deadline."""
    if len(due_label) > DUE_LABEL_MAX_LENGTH:
        errors.add("due_label", _("Thời hạn ghi quá dài (tối đa %(limit)s ký tự).") % {"limit": DUE_LABEL_MAX_LENGTH})
        return due_date, due_label
    if not due_label:
        return due_date, ""
    try:
        parsed = parse_due_label(due_label)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("due_label", message)
        return due_date, due_label
    if parsed is None and due_date is not None and is_standing_label(due_label):
        errors.add("due_label", _("Nhiệm vụ thường xuyên không có hạn hoàn thành; hãy bỏ trống ngày."))
    elif due_date is not None and parsed != due_date:
        errors.add(
            "due_date",
            _("Hạn %(date)s không khớp với thời hạn “%(label)s” (%(parsed)s).")
            % {"date": due_date.strftime("%d/%m/%Y"), "label": due_label, "parsed": parsed.strftime("%d/%m/%Y")},
        )
    return parsed, due_label


@transaction.atomic
def task_create(
    *, by, document: Document | int, content: str, lead_agency: str, coordinating_agencies: Iterable[str] = (),
    districts: Iterable[str] = (), due_date: date | None = None, due_label: str = "", reference: str = "",
    note: str = "", status: str = TaskStatus.NOT_STARTED, recommendation: Recommendation | None = None,
    communes: Iterable[str] = (),
) -> Task:
    """Give a task from a document to a lead agency. Province staff only (``PermissionDenied``).

    Agencies and districts are given by code; the deadline by ``due_date``, by ``due_label`` (read into the
    last day of the period, e.g. "Quý III/2021" → 30/09/2021) or both (they must agree); neither means no
    deadline. Raises ValidationError naming each unknown agency or district code, an unreadable label, an
    unknown document, a reference already used in the document, or an empty content. Nothing is saved then.

    Units follow the map of the day the task is given (``assignment_day``: the document's date, else today):
    ``communes`` (codes) resolve to the units valid that day; a district no longer on that map (after the 2025
    reform) is refused with a message saying to assign communes.
    """
    require_directives_manager(by)
    errors = _Errors()
    if document is None or document == "":
        errors.add("document", _("Hãy chọn văn bản giao nhiệm vụ."))
        document = None
    elif not isinstance(document, Document):
        found = Document.objects.filter(pk=document).first() if str(document).isdigit() else None
        if found is None:
            errors.add("document", _("Không có văn bản mã số %(id)s.") % {"id": document})
        document = found
    content, reference, due_label = _clean_text(content), _clean_text(reference), _clean_text(due_label)
    if not content:
        errors.add("content", _("Hãy nhập nội dung nhiệm vụ."))
    lead_code = _clean_text(lead_agency)
    leads = _agencies_by_code(errors, "lead_agency", [lead_code]) if lead_code else []
    if not lead_code:
        errors.add("lead_agency", _("Hãy chọn cơ quan chủ trì."))
    coordinators = _agencies_by_code(errors, "coordinating_agencies", coordinating_agencies)
    if leads and leads[0] in coordinators:
        errors.add(
            "coordinating_agencies",
            _("%(agency)s đã là cơ quan chủ trì, không thể đồng thời là cơ quan phối hợp.") % {"agency": leads[0].code},
        )
    district_list = _districts_by_code(errors, "districts", districts)
    day = assignment_day(document)
    _check_districts_on_map(errors, "districts", district_list, day)
    commune_list = _communes_by_code(errors, "communes", communes, day)
    due_date, due_label = _resolve_deadline(errors, due_date, due_label)
    if status not in TaskStatus.values:
        errors.add("status", _("Trạng thái không hợp lệ: %(status)s.") % {"status": status})
    if document is not None and reference and Task.objects.filter(document=document, reference=reference).exists():
        errors.add(
            "reference",
            _("Văn bản %(number)s đã có nhiệm vụ ở mục %(reference)s.") % {"number": document.number, "reference": reference},
        )
    errors.raise_if_any()
    task = Task.objects.create(
        document=document, reference=reference, recommendation=recommendation, content=content,
        lead_agency=leads[0], due_date=due_date, due_label=due_label, note=_clean_text(note), status=status,
        done_at=timezone.now() if status == TaskStatus.DONE else None, created_by=by,
    )
    task.coordinating_agencies.set(coordinators)
    task.districts.set(district_list)
    task.communes.set(commune_list)
    return task


@transaction.atomic
def task_update_create(
    *, by, task: Task, note: str, status: str | None = None, attachment=None, at: datetime | None = None,
    expected_version: int | None = None,
) -> TaskUpdate:
    """Report progress on a task; the update's status becomes the task's status.

    Province staff may report on any task; an agency officer only on tasks their agency leads or
    coordinates; a district officer on tasks that concern their district (``accounts.scope``); anyone else
    gets ``PermissionDenied``. ``status`` defaults to the task's current status. ``at`` (default now) lets
    past reports be entered; it may not precede the task's latest update nor lie in the future, so updates
    stay in order. Setting ``done`` records ``done_at``; leaving ``done`` clears it. The task row is locked
    while the update is written, so two reports at once cannot interleave. Raises ValidationError for an
    empty note, an unknown status or a bad attachment. ``expected_version`` (the task's version the reporter
    saw; the page always sends it, the API when it is given) must be current, else ConflictError: someone
    reported in between. Each update bumps the version.
    """
    task = get_task_for_update(by, task.pk, Task.objects.select_for_update())
    if expected_version is not None and int(expected_version) != task.version:
        raise ConflictError(
            _("Nhiệm vụ vừa được người khác báo cáo (phiên bản hiện tại: %(version)s). Tải lại trang rồi báo cáo lại.")
            % {"version": task.version},
            current_version=task.version,
        )
    errors = _Errors()
    note = _clean_text(note)
    status = status or task.status
    if not note:
        errors.add("note", _("Hãy ghi nội dung báo cáo tiến độ."))
    if status not in TaskStatus.values:
        errors.add("status", _("Trạng thái không hợp lệ: %(status)s.") % {"status": status})
    now = timezone.now()
    at = at or now
    if at > now:
        errors.add("at", _("Thời điểm báo cáo không thể ở tương lai."))
    latest = task.updates.order_by("-at", "-id").values_list("at", flat=True).first()
    if latest is not None and at < latest:
        errors.add("at", _("Thời điểm báo cáo không thể sớm hơn báo cáo gần nhất."))
    _check_file(errors, "attachment", attachment)
    errors.raise_if_any()
    update = TaskUpdate(task=task, author=by, at=at, note=note, previous_status=task.status, status=status)
    if attachment:
        update.attachment = attachment
    update.save()
    if status == TaskStatus.DONE and task.status != TaskStatus.DONE:
        task.done_at = at
    elif status != TaskStatus.DONE:
        task.done_at = None
    task.status = status
    task.version += 1
    task.save(update_fields=["status", "done_at", "version", "updated_at"])
    return update


# --- recommendations -----------------------------------------------------------------------------------


@transaction.atomic
def recommendation_create(
    *, by, content: str, document: Document | None = None, meeting: str = "", reference: str = "",
    from_districts: Iterable[str] = (), from_agencies: Iterable[str] = (),
) -> Recommendation:
    """Record a recommendation from districts and/or agencies (by code). Province staff only.

    Raises ValidationError for an empty content, no source at all, an unknown district or agency code,
    neither a document nor a meeting, or a reference already used in the document.
    """
    require_directives_manager(by)
    errors = _Errors()
    content, meeting, reference = _clean_text(content), _clean_text(meeting), _clean_text(reference)
    if not content:
        errors.add("content", _("Hãy nhập nội dung kiến nghị."))
    districts = _districts_by_code(errors, "from_districts", from_districts)
    agencies = _agencies_by_code(errors, "from_agencies", from_agencies)
    if not districts and not agencies and "from_districts" not in errors and "from_agencies" not in errors:
        errors.add("from_districts", _("Hãy chọn huyện hoặc cơ quan kiến nghị."))
    if document is None and not meeting:
        errors.add("document", _("Hãy chọn văn bản hoặc ghi hội nghị nơi kiến nghị được nêu."))
    if document is not None and reference and Recommendation.objects.filter(document=document, reference=reference).exists():
        errors.add(
            "reference",
            _("Văn bản %(number)s đã có kiến nghị ở mục %(reference)s.") % {"number": document.number, "reference": reference},
        )
    errors.raise_if_any()
    recommendation = Recommendation.objects.create(
        document=document, meeting=meeting, reference=reference, content=content, created_by=by
    )
    recommendation.from_districts.set(districts)
    recommendation.from_agencies.set(agencies)
    return recommendation


@transaction.atomic
def recommendation_respond(
    *, by, recommendation: Recommendation, response: str, at: datetime | None = None,
    tasks: Iterable[dict] = (),
) -> Recommendation:
    """Record the province's response to a recommendation, optionally giving tasks. Province staff only.

    Each item of ``tasks`` holds the keyword arguments of ``task_create`` (``content``, ``lead_agency``,
    ``coordinating_agencies``, ``districts``, ``due_date``/``due_label``, ``reference``, ``note``, and
    ``document``, default the recommendation's document); the tasks point back at the recommendation.
    A second response replaces the text. Raises ValidationError for an empty response, a task without a
    document, or any task error (field names prefixed ``task_``); nothing is saved then.
    """
    require_directives_manager(by)
    errors = _Errors()
    response = _clean_text(response)
    if not response:
        errors.add("response", _("Hãy nhập ý kiến trả lời."))
    errors.raise_if_any()
    recommendation.response = response
    recommendation.responded_at = at or timezone.now()
    recommendation.responded_by = by
    recommendation.save(update_fields=["response", "responded_at", "responded_by"])
    for spec in tasks:
        spec = dict(spec)
        document = spec.pop("document", None) or recommendation.document
        if document is None:
            raise ValidationError({"task_document": [_("Hãy chọn văn bản giao nhiệm vụ.")]})
        try:
            task_create(by=by, document=document, recommendation=recommendation, **spec)
        except ValidationError as exc:
            raise ValidationError({f"task_{field}": messages for field, messages in exc.message_dict.items()}) from exc
    return recommendation

