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


def test_an_ocop_change_rebuilds_the_ocop_block_only(seed_world, login, cast):  # noqa: F811
    from decimal import Decimal

    from ocop import services as ocop_services

    from .conftest import DAY

    client = login(cast.leader)
    day = {"period": "2021-H1", "on": "05/09/2021"}
    client.get("/dashboard/", day)
    before = client.get("/dashboard/", day)
    assert not BLOCK_TEMPLATES & rendered(before)
    first = seed_world["product"]
    second = ocop_services.product_create(by=cast.staff, name="Chè thử", group=first.group, producer=first.producer,
                                          commune=first.commune)
    ocop_services.rating_record(product=second, by=cast.staff, score=Decimal("75"), level="province",
                                decision_number="2/QĐ-UBND", decision_date=DAY(2020, 3, 1))
    after = client.get("/dashboard/", day)
    assert "ocop/_dashboard_block.html" in rendered(after)  # its stamp moved: rebuilt
    assert not {"directives/_dashboard_block.html", "overview/dashboard_block.html"} & rendered(after)
    assert after.content.decode().split("<h1>")[1] != before.content.decode().split("<h1>")[1]


def test_a_warm_dashboard_reads_every_block_stamp_in_one_query(seed_world, login, cast, django_assert_num_queries):  # noqa: F811
    # 1 session, 2 user, 3 provinces, 4 districts, 5 a set chosen for the period, 6 the set in force, 7 the
    # stamps of the NTM, OCOP and tasks blocks together; the three blocks come from the cache
    client = login(cast.leader)
    client.get("/dashboard/", {"period": "2021-H1"})
    with django_assert_num_queries(7):
        warm = client.get("/dashboard/", {"period": "2021-H1"})
    assert warm.status_code == 200 and not BLOCK_TEMPLATES & rendered(warm)
