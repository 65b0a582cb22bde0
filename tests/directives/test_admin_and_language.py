"""Admin (read-only for tasks, agencies through the services) and the English pages."""

import pytest
from django.conf import settings

from directives.models import Agency, Task

pytestmark = pytest.mark.django_db


def test_admin_lists_tasks_read_only(cast, login, make_task):
    make_task(content="Nhiệm vụ trong admin")
    client = login(cast.admin_user)
    listing = client.get("/admin/directives/task/")
    assert listing.status_code == 200
    assert "Nhiệm vụ trong admin" in listing.content.decode()
    assert client.get("/admin/directives/task/add/").status_code == 403
    assert client.post("/admin/directives/task/add/", {"content": "x"}).status_code == 403
    assert Task.objects.count() == 1


def test_admin_adds_an_agency_through_the_service(cast, login, units):
    client = login(cast.admin_user)
    response = client.post("/admin/directives/agency/add/", {"code": "STC", "name": "Sở Tài chính", "kind": "department", "district": ""})
    assert response.status_code == 302
    assert list(Agency.objects.filter(code="STC").values_list("name", "kind")) == [("Sở Tài chính", "department")]


def test_board_in_english(cast, login, make_task, today):
    make_task(content="Nhiệm vụ", due_date=today)
    client = login(cast.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/directives/tasks/").content.decode()
    assert "<h1>Task board</h1>" in html
    assert '<span class="badge not_started">Not started</span>' in html
    assert "<th>Deadline</th>" in html
