"""Reads of directives, shared by the pages, the API, the dashboard block and the PDF report builder.

Framework-free: each takes plain values and returns a queryset or a small dataclass. ``today`` is the
date in Asia/Ho_Chi_Minh (``deadlines.local_today()`` when not given), so every reader judges "overdue"
on the same day with the same rule (``models.overdue_condition``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q

from accounts.scope import (
    agencies_visible_to,
    documents_visible_to,
    get_task_for_read,
    recommendations_visible_to,
    tasks_visible_to,
)
from communes.models import District

from .deadlines import local_today
from .models import PROGRAMME_TZ, Agency, Document, Task, TaskStatus, overdue_condition

DUE_SOON_DAYS = 14


def _today(today: date | None) -> date:
    return today or local_today()


def task_board(
    *, user, agency: Agency | None = None, district=None, status: str | None = None, overdue: bool | None = None,
    document: Document | None = None, today: date | None = None, commune=None,
):
    """Tasks the user can see, filtered, earliest deadline first (no deadline last), ``is_overdue`` annotated.

    ``agency``: tasks it leads or coordinates. ``district``: tasks that name it or that its people's
    committee leads or coordinates. ``commune``: tasks that name it (a unit, or a code resolved to the unit
    valid on ``today``). ``overdue``: True keeps only overdue tasks, False drops them.
    Four queries when evaluated (tasks, coordinating agencies, districts, communes), whatever the number of tasks.
    """
    today = _today(today)
    tasks = tasks_visible_to(user).given_by(today).for_listing().with_overdue(today)
    if agency is not None:
        tasks = tasks.involving_agency(agency)
    if district is not None:
        tasks = tasks.concerning_district(district)
    if commune not in (None, ""):
        tasks = tasks.concerning_commune(commune if not isinstance(commune, str) else commune_on(commune, today))
    if status:
        tasks = tasks.with_status(status)
    if overdue is True:
        tasks = tasks.overdue(today)
    elif overdue is False:
        tasks = tasks.not_overdue(today)
    if document is not None:
        tasks = tasks.filter(document=document)
    return tasks.by_deadline()


def tasks_for_agency(agency: Agency, *, today: date | None = None, status: str | None = None):
    """Tasks the agency leads or coordinates, earliest deadline first, ``is_overdue`` annotated."""
    tasks = Task.objects.involving_agency(agency).for_listing().with_overdue(_today(today))
    if status:
        tasks = tasks.with_status(status)
    return tasks.by_deadline()


def tasks_for_district(district, *, today: date | None = None):
    """Tasks that concern the district (named, or led/coordinated by its people's committee)."""
    return Task.objects.concerning_district(district).for_listing().with_overdue(_today(today)).by_deadline()


def task_detail(*, user, pk, today: date | None = None) -> Task:
    """One task with its document, agencies and districts, ``is_overdue`` annotated; Http404 if unseen."""
    return get_task_for_read(user, pk, Task.objects.for_listing().with_overdue(_today(today)))


def task_updates(task: Task, *, on: date | None = None):
    """The task's progress updates, oldest first (the order they were reported), authors joined; with ``on``
    only those reported by the end of that day."""
    updates = task.updates.select_related("author").order_by("at", "id")
    if on is not None:
        end = datetime.combine(on + timedelta(days=1), time.min, tzinfo=PROGRAMME_TZ)
        updates = updates.filter(at__lt=end)
    return updates


@dataclass(frozen=True)
class TaskSummary:
    """Counts of tasks by status, overdue and due soon, and the overdue and due-soon tasks themselves."""

    today: date
    horizon: date
    total: int
    done: int
    in_progress: int
    not_started: int
    overdue: int
    due_next_14_days: int
    without_deadline: int
    overdue_tasks: list = field(default_factory=list)
    due_soon_tasks: list = field(default_factory=list)

    @property
    def open(self) -> int:
        return self.total - self.done


def task_summary(
    *, today: date | None = None, document: Document | None = None, district=None, limit: int | None = None,
) -> TaskSummary:
    """Where the province (or one district) stood on ``today``: counts and the lists of overdue tasks and
    tasks due in the next 14 days, each task judged by its status as it was that day (its update history;
    the listed tasks do not carry it) and only the tasks given by then (document dated on or before it).

    "Due in the next 14 days" means not done, deadline from that day to 14 days later inclusive (a task due
    that day is due soon, not overdue). Lists come with lead agency and document joined, earliest deadline
    first, at most ``limit`` each when given. Three queries whatever the number of tasks.
    """
    today = _today(today)
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    tasks = Task.objects.given_by(today)
    if document is not None:
        tasks = tasks.filter(document=document)
    if district is not None:
        tasks = tasks.concerning_district(district)
    due_soon = Q(due_date__gte=today, due_date__lte=horizon) & ~Q(status_as_of=TaskStatus.DONE)
    counts = tasks.status_as_of(today).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status_as_of=TaskStatus.DONE)),
        in_progress=Count("id", filter=Q(status_as_of=TaskStatus.IN_PROGRESS)),
        not_started=Count("id", filter=Q(status_as_of=TaskStatus.NOT_STARTED)),
        overdue=Count("id", filter=overdue_condition(today, status_field="status_as_of")),
        due_next_14_days=Count("id", filter=due_soon),
        without_deadline=Count("id", filter=Q(due_date__isnull=True)),
    )
    # The lists filter on the status of that day without selecting it (an alias: its subqueries once each).
    listed = tasks.status_as_of(today, select=False).select_related("lead_agency", "document").by_deadline()
    overdue_tasks = listed.filter(overdue_condition(today, status_field="status_as_of"))
    due_soon_tasks = listed.filter(due_soon)
    if limit is not None:
        overdue_tasks, due_soon_tasks = overdue_tasks[:limit], due_soon_tasks[:limit]
    return TaskSummary(
        today=today, horizon=horizon, overdue_tasks=list(overdue_tasks), due_soon_tasks=list(due_soon_tasks), **counts
    )


def agency_by_code(code: str) -> Agency | None:
    """The agency with this code, or None."""
    return Agency.objects.filter(code=code).first()


def district_by_code(code: str):
    """The district with this GSO code, or None."""
    return District.objects.filter(code=code).first()


def agency_list(*, user):
    """Agencies the user can see, by code, with their district joined."""
    return agencies_visible_to(user).select_related("district").order_by("code")


def document_list(*, user, kind: str | None = None, today: date | None = None):
    """Documents the user can see, newest first, with ``task_count``, ``done_count``, ``overdue_count``."""
    documents = documents_visible_to(user).with_task_counts(_today(today))
    if kind:
        documents = documents.filter(kind=kind)
    return documents


@dataclass(frozen=True)
class DocumentPage:
    document: Document
    tasks: list
    recommendations: list
    summary: TaskSummary


def document_page(*, document: Document, today: date | None = None) -> DocumentPage:
    """A document with its tasks (by deadline, overdue annotated), its recommendations and their responses.

    Constant in the number of tasks: tasks (3 queries), recommendations (4), summary (3).
    """
    today = _today(today)
    tasks = list(Task.objects.filter(document=document).for_listing().with_overdue(today).by_deadline())
    recommendations = list(document.recommendations.for_listing().order_by("reference", "id"))
    return DocumentPage(
        document=document, tasks=tasks, recommendations=recommendations,
        summary=task_summary(today=today, document=document),
    )


def recommendation_register(*, user, document: Document | None = None, answered: bool | None = None, district=None):
    """Recommendations the user can see with sources, responses and the tasks responses created."""
    recommendations = recommendations_visible_to(user).for_listing()
    if document is not None:
        recommendations = recommendations.filter(document=document)
    if answered is True:
        recommendations = recommendations.answered()
    elif answered is False:
        recommendations = recommendations.unanswered()
    if district is not None:
        recommendations = recommendations.filter(from_districts=district)
    return recommendations.order_by("-document__date", "document_id", "reference", "id")


def commune_on(code: str, day: date):
    """The commune a code names on ``day`` (codes are reused across the 2025 reform), or None (no query is
    saved: the filter then matches nothing)."""
    from communes.models import Commune

    on_map = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    return Commune.objects.filter(on_map, code=code).first()


def tasks_concerning_communes(commune_ids):
    """Tasks assigned to any of the communes (for a commune officer's scope: accounts/scope/directives.py may
    check ``Task.communes`` with this)."""
    return Task.objects.filter(communes__in=list(commune_ids)).distinct()
