"""Pages of directives: parse (a form), fetch through ``accounts.scope``, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scope import (
    can_manage_directives,
    can_post_task_update,
    get_document_for_read,
    get_document_for_write,
    get_recommendation_for_response,
    get_task_for_update,
    get_task_update_for_read,
    is_agency_officer,
    is_district_officer,
    require_directives_manager,
)
from config.errors import ConflictError
from config.forms import apply_service_errors

from . import selectors, services
from .deadlines import local_today
from .forms import (
    DocumentForm,
    RecommendationForm,
    RecommendationResponseForm,
    TaskFilterForm,
    TaskForm,
    TaskUpdateForm,
)
from .models import TaskStatus

BOARD_PAGE_SIZE = 100


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


# --- tasks ---------------------------------------------------------------------------------------------


@login_required
def index(request):
    return redirect("directives:task-board")


@login_required
def task_board(request):
    """All tasks, filterable by agency, district, status, overdue and document; earliest deadline first."""
    form = TaskFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = local_today()
    tasks = selectors.task_board(
        user=request.user,
        agency=filters.get("agency"),
        district=filters.get("district"),
        commune=filters.get("commune") or None,
        status=filters.get("status") or None,
        overdue=form.overdue_value() if filters else None,
        document=filters.get("document"),
        today=today,
    )
    page = Paginator(tasks, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directives/task_board.html",
        {
            "form": form, "page": page, "tasks": page.object_list, "today": today, "query": query.urlencode(),
            "can_manage": can_manage_directives(request.user),
        },
    )


@login_required
def my_tasks(request):
    """The tasks of the user's agency (agency officers) or district (district officers), with update forms."""
    today = local_today()
    user = request.user
    if is_agency_officer(user) and user.agency_id:
        tasks = selectors.tasks_for_agency(user.agency, today=today)
        owner = user.agency
    elif is_district_officer(user) and user.district_id:
        tasks = selectors.tasks_for_district(user.district, today=today)
        owner = user.district
    else:
        return redirect("directives:task-board")
    return render(
        request,
        "directives/my_tasks.html",
        {"tasks": tasks, "owner": owner, "today": today, "status_choices": TaskStatus.choices, "can_update": True},
    )


@login_required
def task_detail(request, pk):
    """A task with its deadline, agencies, districts, its progress updates in order, and the update form."""
    today = local_today()
    task = selectors.task_detail(user=request.user, pk=pk, today=today)
    can_update = can_post_task_update(request.user, task)
    form = TaskUpdateForm(initial={"status": task.status, "version": task.version}) if can_update else None
    return _render_task_detail(request, task, form, can_update)


def _render_task_detail(request, task, form, can_update, status=200):
    return render(
        request,
        "directives/task_detail.html",
        {
            "task": task, "updates": selectors.task_updates(task), "form": form, "can_update": can_update,
            "can_manage": can_manage_directives(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def task_update_create(request, pk):
    """Post a progress update (allowed: see ``accounts.scope.directives``); the task takes the update's status."""
    task = get_task_for_update(request.user, pk)
    form = TaskUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_update_create(
                by=request.user, task=task, note=form.cleaned_data["note"], status=form.cleaned_data["status"],
                attachment=form.cleaned_data.get("attachment"), expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, exc.message)
        else:
            if request.htmx:
                return _render_my_task_row(request, pk, saved=True)
            messages.success(request, _("Đã ghi báo cáo tiến độ."))
            return redirect(_safe_next(request, task.get_absolute_url()))
    if request.htmx:
        return _render_my_task_row(request, pk, form=form)
    task = selectors.task_detail(user=request.user, pk=pk)
    return _render_task_detail(request, task, form, True, status=400)


def _render_my_task_row(request, pk, *, form=None, saved=False):
    task = selectors.task_detail(user=request.user, pk=pk)
    return render(
        request,
        "directives/my_tasks.html#task-row",
        {"task": task, "row_form": form, "saved": saved, "status_choices": TaskStatus.choices, "can_update": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    """Province staff enter a task of a document (``?document=ID`` preselects it)."""
    require_directives_manager(request.user)
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = services.task_create(
                    by=request.user, document=data["document"], content=data["content"],
                    lead_agency=data["lead_agency"].code,
                    coordinating_agencies=[agency.code for agency in data["coordinating_agencies"]],
                    districts=[district.code for district in data.get("districts") or []],
                    communes=[commune.code for commune in data.get("communes") or []],
                    due_date=data.get("due_date"), due_label=data.get("due_label") or "",
                    reference=data.get("reference") or "", note=data.get("note") or "",
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Đã giao nhiệm vụ cho %(agency)s.") % {"agency": task.lead_agency.name})
                return redirect(task.document)
    else:
        form = TaskForm(initial={"document": request.GET.get("document")})
    return render(request, "directives/task_form.html", {"form": form}, status=400 if form.errors else 200)


# --- documents -----------------------------------------------------------------------------------------


@login_required
def document_list(request):
    documents = selectors.document_list(user=request.user, today=local_today())
    return render(
        request, "directives/document_list.html",
        {"documents": documents, "can_manage": can_manage_directives(request.user)},
    )


@login_required
def document_detail(request, pk):
    """A document with its tasks (deadline order, overdue highlighted) and its recommendations."""
    document = get_document_for_read(request.user, pk)
    page = selectors.document_page(document=document, today=local_today())
    return render(
        request, "directives/document_detail.html",
        {"page": page, "document": document, "can_manage": can_manage_directives(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request):
    require_directives_manager(request.user)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã nhập văn bản %(number)s.") % {"number": document.number})
            return redirect(document)
    return render(
        request, "directives/document_form.html", {"form": form, "document": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk):
    document = get_document_for_write(request.user, pk)
    initial = {
        "number": document.number, "kind": document.kind, "date": document.date, "issuer": document.issuer,
        "title": document.title, "summary": document.summary,
    }
    form = DocumentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(by=request.user, document=document, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu văn bản %(number)s.") % {"number": document.number})
            return redirect(document)
    return render(
        request, "directives/document_form.html", {"form": form, "document": document},
        status=400 if form.errors else 200,
    )


def _download(field_file):
    if not field_file:
        raise Http404(_("Không tìm thấy."))
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("Không tìm thấy.")) from None
    return FileResponse(handle, as_attachment=True, filename=field_file.name.rsplit("/", 1)[-1])


@login_required
def document_file(request, pk):
    """The document's attached file, for any signed-in user (never served from MEDIA_ROOT directly)."""
    return _download(get_document_for_read(request.user, pk).file)


@login_required
def update_attachment(request, pk):
    """A progress update's attachment, for any signed-in user."""
    return _download(get_task_update_for_read(request.user, pk).attachment)


# --- recommendations -----------------------------------------------------------------------------------


@login_required
def recommendation_list(request):
    """The register of recommendations with the province's responses and the tasks they created."""
    answered = {"yes": True, "no": False}.get(request.GET.get("answered", ""))
    recommendations = selectors.recommendation_register(user=request.user, answered=answered)
    return render(
        request, "directives/recommendation_list.html",
        {
            "recommendations": recommendations, "answered": request.GET.get("answered", ""),
            "can_manage": can_manage_directives(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request):
    require_directives_manager(request.user)
    form = RecommendationForm(request.POST or None, initial={"document": request.GET.get("document")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recommendation_create(
                by=request.user, content=data["content"], document=data.get("document"),
                meeting=data.get("meeting") or "", reference=data.get("reference") or "",
                from_districts=[district.code for district in data["from_districts"]],
                from_agencies=[agency.code for agency in data["from_agencies"]],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi kiến nghị."))
            return redirect("directives:recommendation-list")
    return render(request, "directives/recommendation_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_respond(request, pk):
    """Province staff record the province's answer and, optionally, the task it gives."""
    recommendation = get_recommendation_for_response(request.user, pk)
    form = RecommendationResponseForm(request.POST or None, initial={"response": recommendation.response})
    if request.method == "POST" and form.is_valid():
        spec = form.task_spec()
        try:
            services.recommendation_respond(
                by=request.user, recommendation=recommendation, response=form.cleaned_data["response"],
                tasks=[spec] if spec else [],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi ý kiến trả lời."))
            return redirect("directives:recommendation-list")
    return render(
        request, "directives/recommendation_respond.html", {"form": form, "recommendation": recommendation},
        status=400 if form.errors else 200,
    )
