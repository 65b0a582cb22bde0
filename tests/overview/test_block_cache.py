"""The dashboard's blocks are cached as rendered HTML under their own stamps (issue 17 item 3): a warm request
renders none of their templates; a change to what a block reads shows at once."""

import pytest

from directives.models import Task, TaskStatus
from directives.services import task_update_create

from .test_frame import seed_world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BLOCK_TEMPLATES = {"overview/dashboard_block.html", "ocop/_dashboard_block.html", "directives/_dashboard_block.html"}


def rendered(response) -> set[str]:
    return {template.name for template in response.templates if template.name}


def test_a_warm_dashboard_renders_no_block_template(seed_world, login, cast):  # noqa: F811
    client = login(cast.leader)
    cold = client.get("/dashboard/", {"period": "2021-H1"})
    assert BLOCK_TEMPLATES <= rendered(cold)
    warm = client.get("/dashboard/", {"period": "2021-H1"})
    assert not BLOCK_TEMPLATES & rendered(warm)
    main = [r.content.decode().split("<h1>")[1] for r in (cold, warm)]  # the page's CSRF token differs
    assert main[0] == main[1]
    # another cut-off is another entry
    other_day = client.get("/dashboard/", {"period": "2021-H1", "on": "01/09/2021"})
    assert {"ocop/_dashboard_block.html", "directives/_dashboard_block.html"} <= rendered(other_day)


def test_a_task_change_shows_on_the_next_request(seed_world, login, cast):  # noqa: F811
    client = login(cast.leader)
    day = {"period": "2021-H1", "on": "05/09/2021"}
    client.get("/dashboard/", day)
    assert not BLOCK_TEMPLATES & rendered(client.get("/dashboard/", day))
    task = Task.objects.get(content="Hạn sau ngày chốt")
    task_update_create(by=cast.staff, task=task, note="Đang làm", status=TaskStatus.IN_PROGRESS)
    after = client.get("/dashboard/", day)
    assert "directives/_dashboard_block.html" in rendered(after)  # the stamp moved: rebuilt
    assert "ocop/_dashboard_block.html" not in rendered(after)  # OCOP's stamp did not
