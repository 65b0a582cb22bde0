"""Browser, after the 2025 reform: a commune officer (cán bộ xã) of new Xã Thanh Nưa fills and submits its
2026-H1 assessment under the 2026-2030 set; province staff approve it."""

import datetime

import pytest

from accounts.models import Role
from communes.models import Commune
from communes.services import DIEN_BIEN_FILE, REFORM_2025_FILE, units_import
from criteria import evaluation
from criteria.models import Assessment, CriteriaSet
from criteria.selectors import catalogue_for_set
from criteria.services.groups import class_key
from tests.conftest import _user
from tests.criteria.helpers import met_value

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_commune_officer_fills_and_submits_2026_h1_and_staff_approve(page, live_server, browser_login):
    from criteria.services.catalogue import catalogue_load_shipped

    catalogue_load_shipped(only_missing=True)  # a transactional test starts from an empty database
    units_import(text=DIEN_BIEN_FILE.read_text(encoding="utf-8"))
    units_import(text=REFORM_2025_FILE.read_text(encoding="utf-8"), valid_from=datetime.date(2025, 7, 1))
    commune = Commune.objects.get(code="03328", valid_from=datetime.date(2025, 7, 1))
    officer = _user("xa_thanhnua", Role.COMMUNE_OFFICER)
    officer.communes.set([commune])
    staff = _user("vanphong", Role.PROVINCE_STAFF)
    catalogue = catalogue_for_set(CriteriaSet.objects.get(code="2026-2030"))
    region = class_key(catalogue.criteria_set, commune, "2026-H1")  # its group under 2026-2030 (none set: judged)

    # given the commune officer on the entry page of 03328 for 2026-H1 (the new Xã Thanh Nưa, not the old unit)
    browser_login(officer)
    page.goto(f"{live_server.url}/criteria/communes/03328/2026-H1/")
    assert "Xã Thanh Nưa" in page.locator("h1").inner_text()
    assert "chưa có chỉ tiêu chính thức" in page.content()  # the 2026-2030 set's criteria are placeholders

    # when the officer fills every indicator, saves, then submits
    for indicator in catalogue.indicators:
        dom = indicator.code.replace(".", "-")
        judged = evaluation.is_judged(indicator, region)
        if judged:
            page.select_option(f"#m-{dom}", "1")  # one Đạt / Không đạt control for a judged indicator
            continue
        value = met_value(indicator, region)
        if isinstance(value, bool):
            page.select_option(f"#v-{dom}", "1")
        else:
            page.fill(f"#v-{dom}", str(value).replace(".", ","))
    page.click(".actions button[value=save]")
    page.wait_for_load_state()
    assert "Đã lưu nháp." in page.locator(".messages").inner_text()
    asked = []  # the page asks for confirmation before submitting (and staff before approving)
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click(".actions button[value=submit]")
    page.wait_for_load_state()
    assert "Đã lưu và gửi tỉnh duyệt." in page.locator(".messages").inner_text()
    assert Assessment.objects.get(commune=commune, period="2026-H1").status == "submitted"
    assert asked  # it asked before submitting

    # then province staff approve it from the review queue
    page.click("header form button.link:has-text('Đăng xuất')")
    page.wait_for_load_state()
    browser_login(staff)
    page.goto(f"{live_server.url}/criteria/review/")
    page.click("#review-list a:has-text('Thẩm định')")
    page.wait_for_load_state()
    page.click("#approve")
    page.wait_for_load_state()
    assert "Đã duyệt đánh giá." in page.locator(".messages").inner_text()
    assessment = Assessment.objects.get(commune=commune, period="2026-H1")
    assert assessment.status == "approved" and assessment.criteria_set.code == "2026-2030"
    assert list(assessment.transitions.values_list("action", "user__username")) == [
        ("submit", "xa_thanhnua"), ("approve", "vanphong"),
    ]
