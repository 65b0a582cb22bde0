"""Query counts stay the same with N and 2N tasks: board, my tasks, API list, document page, dashboard block."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from directives import sections, services
from directives.deadlines import local_today
from directives.models import Agency, AgencyKind, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(cast, notice, make_task, units, other_agency, agency, today):
    """``grow(n)`` adds n tasks (each with two coordinating agencies, two districts, an overdue or due-soon
    deadline, a progress update) and n answered recommendations that each created a task."""
    extra = Agency.objects.create(code="UBND-100", name="UBND huyện Điện Biên", kind=AgencyKind.DISTRICT_COMMITTEE, district=units.district_b)
    counter = {"n": 0}

    def add(n):
        for _ in range(n):
            counter["n"] += 1
            i = counter["n"]
            task = make_task(
                content=f"Nhiệm vụ {i}", lead_agency=agency, coordinating=[other_agency, extra],
                districts=[units.district_a, units.district_b], due_date=today + timedelta(days=(i % 5) - 2),
            )
            services.task_update_create(by=cast.staff, task=task, note=f"Báo cáo {i}", status=TaskStatus.IN_PROGRESS)
            recommendation = services.recommendation_create(
                by=cast.staff, document=notice, reference=f"4.({i})", from_districts=["099", "100"],
                from_agencies=["SCT"], content=f"Kiến nghị {i}",
            )
            services.recommendation_respond(
                by=cast.staff, recommendation=recommendation, response=f"Trả lời {i}",
                tasks=[{"content": f"Nhiệm vụ từ kiến nghị {i}", "lead_agency": "SCT", "districts": ["100"],
                        "due_label": "năm 2021", "reference": f"4.({i})"}],
            )

    return add


def _page_queries(client, url, django_assert_num_queries, expected):
    client.get(url)  # warm caches (content types, session)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", [5, 10])
def test_task_board_page(grow, cast, login, django_assert_num_queries, n):
    grow(n)
    # 1 session, 2 user, 3-5 filter choices (agencies, districts, documents), 6 count,
    # 7 tasks with document and lead agency, 8 coordinating agencies, 9 districts, 10 communes
    response = _page_queries(login(cast.leader), "/directives/tasks/", django_assert_num_queries, 10)
    assert len(response.context["tasks"]) == 2 * n


@pytest.mark.parametrize("n", [5, 10])
def test_task_board_page_filtered(grow, cast, login, django_assert_num_queries, n):
    grow(n)
    # as above, plus 1 for the agency filter value and 1 for the district filter value
    _page_queries(login(cast.leader), "/directives/tasks/?agency=SCT&district=100&overdue=true", django_assert_num_queries, 12)


@pytest.mark.parametrize("n", [5, 10])
def test_my_tasks_page(grow, cast, login, django_assert_num_queries, n):
    grow(n)
    # 1 session, 2 user, 3 the user's agency (page title and header), 4 tasks, 5 coordinating agencies, 6 districts,
    # 7 communes
    response = _page_queries(login(cast.agency_officer), "/directives/mine/", django_assert_num_queries, 7)
    assert len(response.context["tasks"]) == n


@pytest.mark.parametrize("n", [5, 10])
def test_task_api_list(grow, cast, api, django_assert_num_queries, n):
    grow(n)
    client = api(cast.leader)
    client.get("/api/v1/tasks/")
    # 1 count, 2 tasks with document and lead agency, 3 coordinating agencies, 4 districts, 5 communes
    with django_assert_num_queries(5):
        response = client.get("/api/v1/tasks/")
    assert response.json()["count"] == 2 * n


@pytest.mark.parametrize("n", [5, 10])
def test_document_page(grow, cast, login, notice, django_assert_num_queries, n):
    grow(n)
    # 1 session, 2 user, 3 document, 4-7 tasks + coordinating agencies + districts + communes,
    # 8-11 recommendations + districts + agencies + created tasks, 12-14 summary (counts, overdue, due soon)
    response = _page_queries(login(cast.leader), f"/directives/documents/{notice.pk}/", django_assert_num_queries, 14)
    assert len(response.context["page"].tasks) == 2 * n
    assert len(response.context["page"].recommendations) == n


@pytest.mark.parametrize("n", [5, 10])
def test_document_list_and_recommendation_register(grow, cast, login, django_assert_num_queries, n):
    grow(n)
    client = login(cast.leader)
    # 1 session, 2 user, 3 documents with counts
    _page_queries(client, "/directives/documents/", django_assert_num_queries, 3)
    # 1 session, 2 user, 3 recommendations with document, 4 districts, 5 agencies, 6 created tasks
    _page_queries(client, "/directives/recommendations/", django_assert_num_queries, 6)


@pytest.mark.parametrize("n", [5, 10])
def test_task_page_with_updates(grow, cast, login, django_assert_num_queries, n):
    grow(n)
    from directives.models import Task

    task = Task.objects.filter(content="Nhiệm vụ 1").get()
    for i in range(n):
        services.task_update_create(by=cast.staff, task=task, note=f"Thêm {i}")
    # 1 session, 2 user, 3 task with document and lead agency, 4 coordinating agencies, 5 districts (the task names
    # district A, so the officer may report without looking up the district's committee), 6 communes, 7 updates
    # with authors, 8 the user's district (page header), 9 the menu's count of returned assessments
    _page_queries(login(cast.officer_a), f"/directives/tasks/{task.pk}/", django_assert_num_queries, 9)


@pytest.mark.parametrize("n", [5, 10])
def test_dashboard_block(grow, cast, django_assert_num_queries, n):
    grow(n)
    request = RequestFactory().get("/dashboard/")
    request.user = cast.leader
    # 1 counts, 2 overdue tasks with lead agency and document, 3 tasks due in the next 14 days
    with django_assert_num_queries(3):
        block = sections.dashboard_block(request, on=local_today())
        html = render_to_string(block["template"], {"block": block["context"]})
    assert block["context"]["summary"].total == 2 * n
    assert html.count("data-task=") == len(block["context"]["summary"].overdue_tasks) + len(block["context"]["summary"].due_soon_tasks)
