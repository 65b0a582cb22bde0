"""Directives test setup: a notice, a task factory, and "today" fixed relative to the province's clock."""

from datetime import date, timedelta

import pytest

from directives.deadlines import local_today
from directives.models import Agency, AgencyKind, Document, DocumentKind, Task, TaskStatus


@pytest.fixture
def notice(db) -> Document:
    return Document.objects.create(
        number="63/TB-UBND", kind=DocumentKind.THONG_BAO, date=date(2021, 8, 16), issuer="UBND tỉnh",
        title="Kết luận tại Hội nghị đánh giá 6 tháng đầu năm 2021",
    )


@pytest.fixture
def committee_a(units) -> Agency:
    """The people's committee of district A (099)."""
    return Agency.objects.create(
        code="UBND-099", name="UBND Huyện Tuần Giáo", kind=AgencyKind.DISTRICT_COMMITTEE, district=units.district_a
    )


@pytest.fixture
def today() -> date:
    return local_today()


@pytest.fixture
def make_task(notice, agency):
    """``make_task(**fields)``: a task of the notice led by SNNPTNT unless told otherwise (set-up only)."""
    counter = {"n": 0}

    def make(*, coordinating=(), districts=(), **fields):
        counter["n"] += 1
        fields.setdefault("document", notice)
        fields.setdefault("lead_agency", agency)
        fields.setdefault("content", f"Nhiệm vụ thử {counter['n']}")
        fields.setdefault("status", TaskStatus.NOT_STARTED)
        task = Task.objects.create(**fields)
        task.coordinating_agencies.set(coordinating)
        task.districts.set(districts)
        return task

    return make


@pytest.fixture
def boundary_tasks(make_task, today, other_agency):
    """One task per case around today: due yesterday, today, tomorrow, in 14 and 15 days, done late, none."""
    return {
        "yesterday": make_task(content="Hạn hôm qua", due_date=today - timedelta(days=1)),
        "today": make_task(content="Hạn hôm nay", due_date=today),
        "tomorrow": make_task(content="Hạn ngày mai", due_date=today + timedelta(days=1), lead_agency=other_agency),
        "day14": make_task(content="Hạn sau 14 ngày", due_date=today + timedelta(days=14)),
        "day15": make_task(content="Hạn sau 15 ngày", due_date=today + timedelta(days=15)),
        "done_late": make_task(content="Hoàn thành, hạn đã qua", due_date=today - timedelta(days=30), status=TaskStatus.DONE),
        "standing": make_task(content="Thường xuyên", due_date=None, due_label="Thường xuyên"),
    }
