"""A home per role: officers land on their communes × the default period, what was returned and why (with a
count in the menu) and their district's open tasks; province staff on the review queue and completeness;
leaders on the dashboard; agency officers on their tasks. One rule gives the period (criteria.frame)."""

import pytest

from accounts.models import User
from criteria.frame import default_period
from overview.home import home_kind
from tests.conftest import make_commune
from tests.overview.conftest import make_assessment, make_criteria_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(units):
    """2021-H1 approved for two xã of district A (03260 and 09905) and one of B: the default period."""
    criteria_set = make_criteria_set()
    extra = make_commune("09905", "Xã Thêm", province=units.province, district=units.district_a)
    make_assessment(extra, "2021-H1", criteria_set=criteria_set, met=12)
    make_assessment(units.communes_a[1], "2021-H1", criteria_set=criteria_set, met=15)
    make_assessment(units.communes_b[0], "2021-H1", criteria_set=criteria_set, met=3)
    return criteria_set


def test_anonymous_goes_to_the_login(client):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")


@pytest.mark.parametrize(("who", "target"), [("leader", "/dashboard/"), ("agency_officer", "/directives/mine/")])
def test_leaders_and_agency_officers_land_on_their_page(login, cast, who, target):
    response = login(getattr(cast, who)).get("/")
    assert (response.status_code, response["Location"]) == (302, target)


def test_an_unknown_officer_role_falls_back_to_the_district_officers_home(cast, units):
    commune_officer = User(username="co", role="commune_officer")
    assert home_kind(commune_officer) == home_kind(cast.officer_a) == "officer"
    assert home_kind(cast.staff) == "staff"


def test_district_officer_home_lists_their_communes_in_the_default_period(login, cast, units, approved):
    township = units.communes_a[0]
    assessment = units.communes_a[1].assessments.get()
    assessment.status, assessment.return_comment = "returned", "Thiếu minh chứng tiêu chí 10."
    assessment.save(update_fields=["status", "return_comment"])
    # when the officer of district A opens the home page
    html = login(cast.officer_a).get("/").content.decode()
    # then the default period is the frame's, and their communes (not district B's) show with their status
    assert default_period(province=units.province) == "2021-H1"
    assert "Các xã của tôi · 6 tháng đầu năm 2021" in html
    assert 'data-commune="09905" data-status="approved"' in html
    assert f'data-commune="{units.communes_a[1].code}" data-status="returned"' in html
    assert units.communes_b[0].code not in html
    # the thị trấn is shown as such, not as "Chưa đạt chuẩn", with nothing to enter
    assert f'data-commune="{township.code}" data-status="not_assessed"' in html
    assert "Không đánh giá NTM" in html
    # what was returned and why, with a count in the menu
    assert "Tỉnh trả lại 1 đánh giá: cần sửa và gửi lại" in html
    assert "Thiếu minh chứng tiêu chí 10." in html
    assert 'Bị trả lại <span class="count">1</span></a>' in html


def test_officer_home_queries_do_not_grow_with_communes(login, cast, units, approved, django_assert_num_queries):
    from tests.conftest import add_communes

    client = login(cast.officer_a)
    client.get("/")
    # 1 session, 2 user, 3 served province, 4 default period (GROUP BY), 5 period's chosen set, 6 sets in force,
    # 7 communes, 8 their assessments in the period, 9 returned ones, 10 the user's district, 11 its open tasks
    # (none: no prefetch), 12 the menu's returned count
    with django_assert_num_queries(12) as first:
        client.get("/")
    add_communes(units.district_a, 5, start=40)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/")


def test_staff_home_shows_the_review_queue_and_completeness(login, cast, units, approved):
    make_assessment(units.communes_b[1], "2021-H1", criteria_set=approved, status="submitted", met=2)
    html = login(cast.staff).get("/").content.decode()
    assert "1 đánh giá chờ duyệt" in html
    assert "Tiến độ nhập liệu · 6 tháng đầu năm 2021" in html
    assert '<li class="kpi" data-status="submitted"><div class="value">1</div>' in html
    assert '<li class="kpi" data-status="approved"><div class="value">3</div>' in html


def test_completeness_and_reports_open_on_the_frames_default_period(login, cast, units, approved):
    from criteria.models import Assessment, CriteriaSet

    # given a newer period with only a draft (drafts do not make a period the default)
    Assessment.objects.create(commune=units.communes_a[0], period="2021-H2", criteria_set=CriteriaSet.objects.first())
    client = login(cast.staff)
    assert "Tiến độ nhập liệu · 6 tháng đầu năm 2021" in client.get("/overview/completeness/").content.decode()
    html = client.get("/reports/").content.decode()
    assert '<option value="2021-H1" selected>' in html
