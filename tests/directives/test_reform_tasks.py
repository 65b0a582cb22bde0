"""Issue 11 item 5 (directives): a task given before the reform keeps its districts; tasks can be assigned to
communes (Task.communes), resolved on the map of the day the task is given; on a two-level map new tasks are
offered communes, not districts (service, form, API, board)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from directives import selectors, services
from directives.forms import TaskForm
from directives.models import Document, DocumentKind, Task
from tests.overview.reform_map import build_reform_map

pytestmark = pytest.mark.django_db


@pytest.fixture
def reform(units, agency):
    return build_reform_map(units)


@pytest.fixture
def plan_2026(db):
    return Document.objects.create(number="12/KH-UBND", kind=DocumentKind.KE_HOACH, date=date(2026, 1, 10),
                                   issuer="UBND tỉnh", title="Kế hoạch năm 2026")


def give(by, document, **values):
    values.setdefault("content", "Rà soát tiêu chí")
    values.setdefault("lead_agency", "SNNPTNT")
    return services.task_create(by=by, document=document, **values)


def test_a_task_given_before_the_reform_keeps_its_districts(units, agency, notice, cast):
    task = give(cast.staff, notice, districts=["099", "100"])
    build_reform_map(units)
    task.refresh_from_db()
    assert [d.code for d in task.districts.order_by("code")] == ["099", "100"]
    assert [t.pk for t in selectors.task_board(user=cast.leader, district=units.district_a)] == [task.pk]


def test_a_new_task_on_the_two_level_map_is_assigned_to_communes(reform, cast, plan_2026):
    task = give(cast.staff, plan_2026, communes=["20001", "20002"])
    assert [c.code for c in task.communes.order_by("code")] == ["20001", "20002"]
    assert list(task.districts.all()) == []
    assert list(selectors.tasks_concerning_communes([reform.new["20002"].pk])) == [task]


def test_a_district_or_an_old_commune_on_the_new_map_is_refused_and_nothing_saved(reform, cast, plan_2026):
    with pytest.raises(ValidationError) as error:
        give(cast.staff, plan_2026, districts=["099"], communes=["03260"])
    messages = error.value.message_dict
    assert "Huyện Tuần Giáo không còn trên bản đồ đơn vị hành chính ngày 10/01/2026" in messages["districts"][0]
    assert "hãy giao nhiệm vụ cho xã" in messages["districts"][0]
    assert messages["communes"] == ["Không có xã mã “03260” trên bản đồ đơn vị hành chính ngày 10/01/2026."]
    assert Task.objects.count() == 0


def test_an_older_document_can_still_name_its_districts_and_old_communes(reform, cast, notice):
    task = give(cast.staff, notice, districts=["099"], communes=["03260"])  # notice of 16/08/2021
    assert ([d.code for d in task.districts.all()], [c.code for c in task.communes.all()]) == (["099"], ["03260"])


def test_the_form_offers_communes_and_no_districts_on_a_two_level_map(units, reform):
    form = TaskForm()
    assert "districts" not in form.fields
    assert [c.code for c in form.fields["communes"].queryset] == ["20001", "20002", "20003"]
    before = TaskForm(today=date(2025, 6, 1))
    assert [d.code for d in before.fields["districts"].queryset] == ["099", "100"]
    assert "03260" in {c.code for c in before.fields["communes"].queryset}


def test_the_task_page_assigns_communes(login, cast, reform, plan_2026):
    response = login(cast.staff).post("/directives/tasks/new/", {
        "document": plan_2026.pk, "content": "Hỗ trợ xã Tân Một", "lead_agency": "SNNPTNT", "communes": ["20001"],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get()
    assert [c.code for c in task.communes.all()] == ["20001"]
    board = login(cast.leader).get("/directives/tasks/", {"commune": "20001"}).content.decode()
    assert f'id="task-{task.pk}"' in board and 'data-commune="20001"' in board
    assert f'id="task-{task.pk}"' not in login(cast.leader).get("/directives/tasks/", {"commune": "20002"}).content.decode()


def test_the_api_takes_and_gives_communes(api, cast, reform, plan_2026):
    client = api(cast.staff)
    created = client.post("/api/v1/tasks/", {
        "document": plan_2026.pk, "content": "Hỗ trợ", "lead_agency": "SNNPTNT", "communes": ["20001"],
    }, format="json")
    assert created.status_code == 201 and created.json()["communes"] == ["20001"]
    refused = client.post("/api/v1/tasks/", {
        "document": plan_2026.pk, "content": "Hỗ trợ", "lead_agency": "SNNPTNT", "districts": ["099"],
    }, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["districts"]
    listed = client.get("/api/v1/tasks/", {"commune": "20001"}).json()
    assert [row["communes"] for row in listed["results"]] == [["20001"]]


@pytest.mark.parametrize("n", [2, 6])
def test_the_board_costs_the_same_whatever_the_number_of_communes(login, cast, reform, plan_2026,
                                                                  django_assert_num_queries, n):
    for i in range(n):
        give(cast.staff, plan_2026, content=f"Nhiệm vụ {i}", communes=["20001", "20002"][: 1 + i % 2])
    client = login(cast.leader)
    client.get("/directives/tasks/")
    # 1 session, 2 user, 3-5 filter choices, 6 count, 7 tasks, 8 coordinating agencies, 9 districts, 10 communes
    with django_assert_num_queries(10):
        response = client.get("/directives/tasks/")
    assert len(response.context["tasks"]) == n


def test_a_commune_officer_reports_on_tasks_of_their_commune_only(reform, cast, plan_2026, api, login):
    from accounts.models import Role
    from accounts.scope import tasks_updatable_by
    from tests.conftest import _user

    officer = _user("xa_20001", Role.COMMUNE_OFFICER)
    officer.communes.set([reform.new["20001"]])
    mine = give(cast.staff, plan_2026, communes=["20001"])
    other = give(cast.staff, plan_2026, communes=["20002"])
    assert list(tasks_updatable_by(officer)) == [mine]
    client = api(officer)
    ok = client.post(f"/api/v1/tasks/{mine.pk}/updates/", {"note": "Đã rà soát", "status": "in_progress",
                                                          "version": mine.version}, format="json")
    refused = client.post(f"/api/v1/tasks/{other.pk}/updates/", {"note": "x", "status": "done",
                                                               "version": other.version}, format="json")
    assert ok.status_code == 201, ok.content
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Nhiệm vụ này không giao cho xã của bạn."
    other.refresh_from_db()
    assert other.status == "not_started" and not other.updates.exists()
    page = login(officer).get(f"/directives/tasks/{other.pk}/")
    assert page.status_code == 200 and "Đã rà soát" not in page.content.decode()
