"""Overdue is derived: a deadline before today (in Asia/Ho_Chi_Minh) and not done. Everyone agrees on it."""

import re
from datetime import UTC, date, datetime

import pytest

from directives import selectors
from directives.deadlines import local_today
from directives.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


def _overdue_ids(today):
    return set(Task.objects.overdue(today).values_list("pk", flat=True))


def test_task_due_today_is_not_overdue_and_due_yesterday_is(make_task):
    task = make_task(due_date=date(2021, 9, 30), due_label="Quý III/2021")
    assert _overdue_ids(date(2021, 9, 30)) == set()
    assert _overdue_ids(date(2021, 10, 1)) == {task.pk}
    assert Task.objects.with_overdue(date(2021, 9, 30)).get().is_overdue is False
    assert Task.objects.with_overdue(date(2021, 10, 1)).get().is_overdue is True


def test_the_day_turns_at_midnight_in_ho_chi_minh_city_not_in_utc(make_task):
    # given a task due 30/09/2021
    task = make_task(due_date=date(2021, 9, 30))
    # when it is 16:59 UTC on 30/09 (23:59 in Điện Biên) / then not overdue
    assert _overdue_ids(local_today(datetime(2021, 9, 30, 16, 59, tzinfo=UTC))) == set()
    # when it is 17:00 UTC on 30/09 (00:00 on 01/10 in Điện Biên) / then overdue, although UTC still says 30/09
    assert _overdue_ids(local_today(datetime(2021, 9, 30, 17, 0, tzinfo=UTC))) == {task.pk}


def test_a_done_task_is_never_overdue(make_task):
    make_task(due_date=date(2021, 9, 30), status=TaskStatus.DONE)
    assert _overdue_ids(date(2030, 1, 1)) == set()


def test_a_task_without_deadline_is_never_overdue(make_task):
    make_task(due_date=None, due_label="Thường xuyên")
    assert _overdue_ids(date(2030, 1, 1)) == set()


def test_summary_counts_and_lists(boundary_tasks, today):
    summary = selectors.task_summary(today=today)
    assert (summary.total, summary.done, summary.in_progress, summary.not_started) == (7, 1, 0, 6)
    assert (summary.overdue, summary.due_next_14_days, summary.without_deadline) == (1, 3, 1)
    assert [task.content for task in summary.overdue_tasks] == ["Hạn hôm qua"]
    # due today is due soon (not overdue); day 14 is inside the window, day 15 outside
    assert [task.content for task in summary.due_soon_tasks] == ["Hạn hôm nay", "Hạn ngày mai", "Hạn sau 14 ngày"]
    assert summary.due_soon_tasks[1].lead_agency.code == "SCT"


def test_board_sorts_by_deadline_with_standing_tasks_last(boundary_tasks, cast, today):
    tasks = list(selectors.task_board(user=cast.leader, today=today))
    assert [task.content for task in tasks] == [
        "Hoàn thành, hạn đã qua", "Hạn hôm qua", "Hạn hôm nay", "Hạn ngày mai", "Hạn sau 14 ngày",
        "Hạn sau 15 ngày", "Thường xuyên",
    ]
    assert [task.is_overdue for task in tasks] == [False, True, False, False, False, False, False]


def test_board_page_dashboard_block_and_api_agree_on_what_is_overdue(boundary_tasks, cast, login, api):
    expected = {boundary_tasks["yesterday"].pk}
    # board page: rows highlighted as overdue
    client = login(cast.leader)
    board = client.get("/directives/tasks/").content.decode()
    highlighted = {int(pk) for pk in re.findall(r'<tr id="task-(\d+)" class="overdue">', board)}
    assert highlighted == expected
    filtered = client.get("/directives/tasks/", {"overdue": "true"})
    assert {task.pk for task in filtered.context["tasks"]} == expected
    # dashboard block: the overdue list
    dashboard = client.get("/dashboard/")
    # (blocks are cached as rendered HTML, issue 17: a first request builds them and keeps what they were built from)
    block = next(b["context"]["built"] for b in dashboard.context["blocks"]
                 if b.get("source") == "directives/_dashboard_block.html")
    assert {task.pk for task in block["summary"].overdue_tasks} == expected
    assert block["summary"].overdue == 1
    overdue_list = dashboard.content.decode().split('class="task-list overdue-list"')[1].split("</ul>")[0]
    assert {int(pk) for pk in re.findall(r'data-task="(\d+)"', overdue_list)} == expected
    # API: the overdue flag and the overdue filter
    rows = api(cast.leader).get("/api/v1/tasks/").json()["results"]
    assert {row["id"] for row in rows if row["overdue"]} == expected
    only = api(cast.leader).get("/api/v1/tasks/", {"overdue": "true"}).json()
    assert {row["id"] for row in only["results"]} == expected
    assert only["count"] == 1
