"""Reads for each role's home page: who lands where, and the officer's and province staff's work lists.

- District officers, and any officer role that writes communes (e.g. a commune officer after the 2025
  reform), land on their communes × the default period with each one's status, what the province returned
  and why, and their district's open tasks by deadline.
- Agency officers land on their agency's tasks (due and overdue); leaders on the dashboard.
- Province staff land on the review queue and the completeness of the default period.

The period is the frame's one rule (criteria.frame.default_period); everything is read through the frame
and the scope module.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from accounts.scope import assessments_writable_by, communes_writable_by
from accounts.scope.roles import Role, role_of
from communes.models import Commune, CommuneKind
from criteria import selectors as criteria_selectors
from criteria.frame import Frame
from criteria.models import Assessment, AssessmentStatus

OFFICER, STAFF, LEADER, AGENCY = "officer", "staff", "leader", "agency"
HOME_TASKS = 10
HOME_REVIEW_ROWS = 20


def home_kind(user) -> str | None:
    """Which home a user lands on (None: not signed in).

    A role this rule does not know (a new officer role such as "commune_officer") lands on the district
    officer's home: its communes come from the scope module, which decides what it writes.
    """
    role = role_of(user)
    if role is None:
        return None
    if role in (Role.PROVINCE_STAFF, Role.ADMIN):
        return STAFF
    if role == Role.LEADER:
        return LEADER
    if role == Role.AGENCY_OFFICER:
        return AGENCY
    return OFFICER


@dataclass
class CommuneWork:
    """One of the officer's communes in the period: its assessment there (or none) and where to enter it."""

    commune: Commune
    assessment: Assessment | None

    @property
    def is_assessed_unit(self) -> bool:
        """Only xã are assessed for NTM; wards and thị trấn are shown as such."""
        return self.commune.kind == CommuneKind.COMMUNE

    @property
    def status(self) -> str:
        if not self.is_assessed_unit:
            return "not_assessed"
        return self.assessment.status if self.assessment else "none"


@dataclass
class OfficerWork:
    frame: Frame | None
    rows: list[CommuneWork]
    returned: list[Assessment]
    tasks: list = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def officer_work(*, user, frame: Frame | None, today: datetime.date) -> OfficerWork:
    """The communes the user writes with their assessment in the frame's period and set, the returned
    assessments (any period) with the province's reason, and the district's open tasks.

    Queries: the communes (1), their assessments in the period (1), the returned ones (1), the district's
    tasks (1 + 2 prefetches, only for a user with a district).
    """
    communes = list(communes_writable_by(user).select_related("district").order_by("district__code", "code"))
    by_commune: dict[int, Assessment] = {}
    if frame is not None and frame.criteria_set is not None and communes:
        for assessment in assessments_writable_by(user).filter(
            commune__in=[c.pk for c in communes], period=frame.period.code, criteria_set=frame.criteria_set,
        ):
            by_commune[assessment.commune_id] = assessment
    rows = [CommuneWork(commune=commune, assessment=by_commune.get(commune.pk)) for commune in communes]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    returned = list(criteria_selectors.returned_to(user=user))
    tasks = []
    if user.district_id:
        from directives import selectors as directive_selectors
        from directives.models import TaskStatus

        open_tasks = directive_selectors.tasks_for_district(user.district, today=today).exclude(status=TaskStatus.DONE)
        tasks = list(open_tasks[:HOME_TASKS])
    return OfficerWork(frame=frame, rows=rows, returned=returned, tasks=tasks, counts=counts)


@dataclass
class StaffWork:
    frame: Frame | None
    waiting: list[Assessment]
    waiting_count: int
    board: object | None


def staff_work(*, user, frame: Frame | None) -> StaffWork:
    """Submitted assessments waiting for review (oldest first, the first rows and the count) and the
    completeness board of the frame. Queries: the count, the rows, the board's two."""
    from overview.selectors import completeness_board

    queue = criteria_selectors.review_queue(user=user)
    return StaffWork(
        frame=frame,
        waiting=list(queue[:HOME_REVIEW_ROWS]),
        waiting_count=queue.count(),
        board=completeness_board(frame=frame) if frame is not None else None,
    )


def returned_count(user) -> int:
    """How many assessments wait for the officer's correction (the menu's count); one query."""
    return assessments_writable_by(user).filter(status=AssessmentStatus.RETURNED).count()
