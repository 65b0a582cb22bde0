"""Overview pages: dashboard block, completeness board, district page, at-risk list, targets, commune section."""

import re

import pytest

from communes.models import Commune, CommuneTarget, DistrictTarget, Recognition, Village, VillageRecognition
from criteria.models import Assessment
from tests.criteria.helpers import approve

from .conftest import DAY, make_assessment

pytestmark = pytest.mark.django_db


def kpi(html: str, name: str) -> str:
    match = re.search(rf'id="kpi-{name}"><div class="value">(.*?)</div>', html)
    assert match, f"kpi {name} not found"
    return match.group(1)


def cells(html: str, table_id: str, row_attr: str) -> dict:
    """{row key: [cell texts]} for the rows of a table carrying ``data-<row_attr>``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for key, body in re.findall(rf'<tr data-{row_attr}="([^"]*)">(.*?)</tr>', table, re.S):
        rows[key] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    return rows


# --------------------------------------------------------------------------------------------------- scope


@pytest.mark.parametrize("url", [
    "/overview/completeness/", "/overview/districts/099/", "/overview/at-risk/", "/targets/",
])
def test_anonymous_is_sent_to_login(client, units, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_cannot_post_a_recognition(client, units):
    response = client.post("/communes/03364/recognitions/", {"level": "basic"})
    assert response.status_code == 302
    assert Recognition.objects.count() == 0


def test_unknown_district_is_404(login, cast):
    assert login(cast.leader).get("/overview/districts/999/").status_code == 404


# --------------------------------------------------------------------------------------------------- dashboard


def test_leader_sees_the_ntm_block_first_with_the_figures(login, cast, scenario):
    # given the scenario / when the leader opens the dashboard for 2021-H1
    response = login(cast.leader).get("/dashboard/", {"period": "2021-H1"})
    html = response.content.decode()
    # then the NTM block comes first and shows the selector's figures, decimal comma included
    assert response.status_code == 200
    assert html.index('id="ntm-overview"') < html.index("</main>")
    assert kpi(html, "recognised") == "2"
    assert kpi(html, "avg") == "13,0"
    assert kpi(html, "met-all") == "1"
    assert kpi(html, "below-5") == "1"
    assert kpi(html, "assessed") == "4/8"
    assert cells(html, "district-table", "district") == {
        "099": ["Huyện Tuần Giáo", "2/3", "17,0", "1", "0", "1", "0"],
        "100": ["Huyện Điện Biên", "2/5", "9,0", "0", "1", "0", "1"],
        "101": ["Huyện Điện Biên Đông", "0/0", "–", "0", "0", "0", "0"],
    }
    # four server-drawn charts are inline SVG (targets only when the year has targets)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert "Xã Rạng Đông" in html and "Tiêu chí 16 (cơ bản đạt)" in html
    # leaders see no editing controls
    assert "<form method=\"post\"" not in html.split('id="ntm-overview"')[1].split("</section>")[0]


def test_dashboard_defaults_to_the_latest_approved_period(login, cast, scenario):
    html = login(cast.leader).get("/dashboard/").content.decode()
    assert "6 tháng đầu năm 2021" in html
    assert kpi(html, "avg") == "13,0"


def test_dashboard_filters_by_district_and_includes_submitted(login, cast, scenario):
    client = login(cast.leader)
    html = client.get("/dashboard/", {"period": "2021-H1", "district": "100"}).content.decode()
    assert kpi(html, "avg") == "9,0"
    assert list(cells(html, "district-table", "district")) == ["100"]
    html = client.get("/dashboard/", {"period": "2021-H1", "include": "submitted"}).content.decode()
    assert kpi(html, "avg") == "12,4"
    assert "Tính cả đánh giá đã gửi, chưa duyệt." in html


def test_dashboard_with_a_bad_period_says_so_and_shows_the_latest(login, cast, scenario):
    html = login(cast.leader).get("/dashboard/", {"period": "2021-H7"}).content.decode()
    assert 'class="errorlist"' in html
    assert kpi(html, "avg") == "13,0"


def test_dashboard_follows_an_approval_at_once(login, cast, scenario):
    client = login(cast.leader)
    assert kpi(client.get("/dashboard/", {"period": "2021-H1"}).content.decode(), "assessed") == "4/8"
    # when the submitted 09902 is approved (as criteria.services does: status and version change)
    submitted = Assessment.objects.get(commune=scenario.a2, period="2021-H1")
    approve(assessment=submitted, by=cast.staff, expected_version=submitted.version)
    html = client.get("/dashboard/", {"period": "2021-H1"}).content.decode()
    # the period is closed (cut-off 29/08/2021): an approval made today is left out, and the page says so
    assert kpi(html, "assessed") == "4/8"
    assert "1 đánh giá được duyệt sau ngày 29/08/2021 chưa được tính." in html
    assert kpi(client.get("/dashboard/", {"period": "2021-H1", "on": today_text()}).content.decode(), "assessed") == "5/8"


def test_dashboard_without_any_assessment(login, cast, units):
    html = login(cast.leader).get("/dashboard/").content.decode()
    assert "Chưa có đánh giá nào được duyệt." in html


def test_dashboard_in_english(login, cast, scenario):
    client = login(cast.leader)
    client.cookies["django_language"] = "en"
    html = client.get("/dashboard/", {"period": "2021-H1"}).content.decode()
    assert kpi(html, "avg") == "13.0"


# --------------------------------------------------------------------------------------------------- other pages


def test_completeness_board_opens_on_the_frames_default_period(login, cast, scenario):
    # given a draft in 2021-H2: the period being entered, not yet the default one (criteria.frame.default_period)
    make_assessment(scenario.b3, "2021-H2", criteria_set=scenario.criteria_set, status="draft", met=2)
    client = login(cast.leader)
    assert "Tiến độ nhập liệu · 6 tháng đầu năm 2021" in client.get("/overview/completeness/").content.decode()
    # the period being entered is one choice away
    html = client.get("/overview/completeness/", {"period": "2021-H2"}).content.decode()
    assert "Tiến độ nhập liệu · 6 tháng cuối năm 2021" in html
    assert kpi_free_totals(html) == {"none": "7", "draft": "1", "submitted": "0", "returned": "0", "approved": "0"}


def kpi_free_totals(html):
    table = re.search(r'<table class="completeness" id="completeness">.*?</table>', html, re.S).group(0)
    return dict(re.findall(r'<th class="num" data-status="(\w+)">(\d+)</th>', table))


def test_completeness_board_page_names_the_communes(login, cast, scenario):
    html = login(cast.officer_a).get("/overview/completeness/", {"period": "2021-H1"}).content.decode()
    table = re.search(r'<table class="completeness" id="completeness">.*?</table>', html, re.S).group(0)
    row_b = re.search(r'<tr data-district="100">(.*?)</tr>', table, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row_b)).split() [:3] == ["Huyện", "Điện", "Biên"]
    none_cell = re.search(r'data-status="none">(.*?)</td>', row_b, re.S).group(1)
    assert "Xã B Ba" in none_cell and "<summary>1</summary>" in none_cell
    totals = dict(re.findall(r'<th class="num" data-status="(\w+)">(\d+)</th>', table))
    assert totals == {"none": "1", "draft": "1", "submitted": "1", "returned": "1", "approved": "4"}


def test_district_page_shows_the_matrix(login, cast, scenario):
    html = login(cast.leader).get("/overview/districts/099/", {"period": "2021-H1"}).content.decode()
    matrix = cells(html, "matrix", "commune")
    assert list(matrix) == ["03260", "09901"]
    assert matrix["03260"][1:4] == ["✓", "✓", "✓"]
    assert matrix["03260"][16:21] == ["◐", "◐", "✗", "✗", "15"]
    assert kpi(html, "avg") == "17,0"


def test_at_risk_page_lists_everything(login, cast, scenario):
    html = login(cast.leader).get("/overview/at-risk/", {"period": "2021-H1"}).content.decode()
    assert "2.2 Chỉ tiêu 2.2" in html and "11.2 Chỉ tiêu 11.2" in html
    assert html.count("Tiêu chí 4</td>") == 1


def test_commune_section_for_a_leader_is_read_only(login, cast, scenario):
    html = login(cast.leader).get("/communes/03260/").content.decode()
    assert 'id="ntm-level"' in html
    assert "Theo đánh giá kỳ 2021-H1, còn 4 tiêu chí chưa đạt:" in html
    assert "recognitions/" not in html


def test_commune_section_for_staff_offers_the_decision_forms(login, cast, scenario):
    Village.objects.create(commune=scenario.muong_nha, name="Co Mận")
    html = login(cast.staff).get("/communes/03364/").content.decode()
    assert 'action="/communes/03364/recognitions/"' in html
    assert 'action="/communes/03364/village-recognitions/"' in html


# --------------------------------------------------------------------------------------------------- writes


def test_staff_records_a_recognition_and_the_level_follows(login, cast, scenario):
    response = login(cast.staff).post("/communes/03364/recognitions/", {
        "level": "basic", "action": "grant", "decision_number": "1358/QĐ-UBND", "decision_date": "29/07/2021",
        "issuer": "UBND tỉnh",
    })
    assert response.status_code == 302 and response["Location"] == "/communes/03364/"
    assert list(Recognition.objects.filter(commune=scenario.muong_nha).values_list("decision_number", "decision_date")) == [
        ("1358/QĐ-UBND", DAY(2021, 7, 29)),
    ]
    assert Commune.objects.get(code="03364").level == "basic"


def test_a_bad_recognition_is_refused_with_a_message(login, cast, scenario):
    client = login(cast.staff)
    response = client.post("/communes/03364/recognitions/", {
        "level": "basic", "action": "grant", "decision_number": "", "decision_date": "31/02/2021", "issuer": "UBND tỉnh",
    }, follow=True)
    assert Recognition.objects.filter(commune=scenario.muong_nha).count() == 0
    assert "This field is required." in response.content.decode() or "Trường này là bắt buộc." in response.content.decode()


@pytest.mark.parametrize("who", ["leader", "officer_b", "officer_a"])
def test_others_cannot_record_recognitions(login, cast, scenario, who):
    response = login(getattr(cast, who)).post("/communes/03364/recognitions/", {
        "level": "basic", "action": "grant", "decision_number": "1/QĐ", "decision_date": "01/01/2021", "issuer": "UBND tỉnh",
    })
    assert response.status_code == 403
    assert Recognition.objects.filter(commune=scenario.muong_nha).count() == 0
    assert Commune.objects.get(code="03364").level == "none"


def test_staff_records_a_village_recognition(login, cast, scenario):
    village = Village.objects.create(commune=scenario.muong_nha, name="Co Mận")
    response = login(cast.staff).post("/communes/03364/village-recognitions/", {
        "village": str(village.pk), "kind": "ntm", "action": "grant", "decision_number": "2145/QĐ-UBND",
        "decision_date": "20/11/2020", "issuer": "UBND huyện Điện Biên",
    })
    assert response.status_code == 302
    assert list(VillageRecognition.objects.values_list("village__name", "kind", "decision_number")) == [
        ("Co Mận", "ntm", "2145/QĐ-UBND"),
    ]
    html = login(cast.leader).get("/communes/03364/").content.decode()
    assert "Thôn, bản nông thôn mới" in html and "20/11/2020" in html


def test_leader_cannot_record_a_village_recognition(login, cast, scenario):
    village = Village.objects.create(commune=scenario.muong_nha, name="Co Mận")
    response = login(cast.leader).post("/communes/03364/village-recognitions/", {
        "village": str(village.pk), "kind": "ntm", "action": "grant", "decision_number": "1/QĐ", "decision_date": "20/11/2020",
        "issuer": "UBND huyện",
    })
    assert response.status_code == 403
    assert VillageRecognition.objects.count() == 0


def test_staff_sets_and_deletes_targets(login, cast, scenario):
    client = login(cast.staff)
    response = client.post("/targets/?year=2021", {
        "action": "commune", "year": "2021", "commune": "03260", "level": "standard", "source": "CV 239/BCĐ-KTN",
    })
    assert response.status_code == 302
    response = client.post("/targets/?year=2021", {
        "action": "district", "year": "2021", "district": "099", "level": "standard", "count": "1", "source": "TB 63/TB-UBND",
    })
    assert response.status_code == 302
    assert list(CommuneTarget.objects.values_list("year", "commune__code", "level", "source")) == [(2021, "03260", "standard", "CV 239/BCĐ-KTN")]
    assert list(DistrictTarget.objects.values_list("year", "district__code", "level", "count")) == [(2021, "099", "standard", 1)]
    html = client.get("/targets/", {"year": "2021"}).content.decode()
    assert "Huyện Tuần Giáo" in html and "CV 239/BCĐ-KTN" in html
    target = CommuneTarget.objects.get()
    client.post("/targets/?year=2021", {"action": "delete-commune", "pk": str(target.pk), "year": "2021"})
    assert CommuneTarget.objects.count() == 0


def test_a_refused_target_shows_the_service_message(login, cast, scenario):
    response = login(cast.staff).post("/targets/?year=2021", {
        "action": "district", "year": "2021", "district": "099", "level": "standard", "count": "9",
    })
    assert response.status_code == 200
    assert "Số xã (9) vượt quá số xã của huyện (3)." in response.content.decode()
    assert DistrictTarget.objects.count() == 0


@pytest.mark.parametrize("who", ["leader", "officer_a"])
def test_others_cannot_change_targets(login, cast, scenario, who):
    CommuneTarget.objects.create(year=2021, commune=scenario.rang_dong, level="standard")
    client = login(getattr(cast, who))
    html = client.get("/targets/", {"year": "2021"}).content.decode()
    assert "Lưu chỉ tiêu" not in html
    response = client.post("/targets/?year=2021", {
        "action": "commune", "year": "2021", "commune": "03364", "level": "basic",
    })
    assert response.status_code == 403
    response = client.post("/targets/", {"action": "delete-commune", "pk": str(CommuneTarget.objects.get().pk)})
    assert response.status_code == 403
    assert list(CommuneTarget.objects.values_list("commune__code", flat=True)) == ["03260"]


def test_admin_lists_targets_and_deletes_through_the_service(login, cast, scenario):
    target = CommuneTarget.objects.create(year=2021, commune=scenario.rang_dong, level="standard")
    client = login(cast.admin_user)
    for url in ("/admin/communes/communetarget/", "/admin/communes/districttarget/", "/admin/communes/villagerecognition/"):
        assert client.get(url).status_code == 200
    assert client.get("/admin/communes/communetarget/add/").status_code == 403
    response = client.post(f"/admin/communes/communetarget/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert CommuneTarget.objects.count() == 0


def test_admin_is_closed_to_leaders(login, cast, scenario):
    assert login(cast.leader).get("/admin/communes/communetarget/").status_code == 302


def test_overview_pages_in_english(login, cast, scenario):
    client = login(cast.leader)
    client.cookies["django_language"] = "en"
    html = client.get("/dashboard/", {"period": "2021-H1"}).content.decode()
    assert "communes meeting all 19 criteria" in html and "Communes closest to the standard" in html
    html = client.get("/communes/03260/").content.decode()
    assert "By the 2021-H1 assessment, 4 criteria are not met:" in html


def today_text():
    from django.utils import timezone

    return timezone.localdate().strftime("%d/%m/%Y")


def test_the_cached_district_page_follows_drafts_submissions_and_approvals(login, cast, scenario):
    """The district page is served from rendered HTML under the overview stamp with the board's part: a draft
    started, a submission and an approval in the district each show on the next request."""
    from django.core.cache import cache
    from django.utils import timezone

    from tests.criteria.helpers import all_met_entries, save, submit

    from .conftest import make_xa

    cache.clear()
    client = login(cast.leader)
    url = f"/overview/districts/099/?period=2021-H1&on={timezone.localdate().isoformat()}"

    def board():
        html = client.get(url).content.decode()
        table = re.search(r'<table[^>]*id="completeness".*?</table>', html, re.S).group(0)
        return {status: re.sub(r"<[^>]+>", "", cell) for status, cell in re.findall(r'data-status="(\w+)">(.*?)</td>', table, re.S)}, html

    new = make_xa("09903", "Xã A Ba", district=scenario.units.district_a)
    cache.clear()
    before, _html = board()
    assert "Xã A Ba" in before["none"] and "Xã A Hai" in before["submitted"]
    assert board()[0] == before  # served from the cache: the same
    assessment = save(new, scenario.criteria_set, all_met_entries(scenario.criteria_set), cast.officer_a)
    drafted, _html = board()
    assert "Xã A Ba" in drafted["draft"] and "Xã A Ba" not in drafted["none"]
    submit(assessment=assessment, by=cast.officer_a)
    assert "Xã A Ba" in board()[0]["submitted"]
    approve(assessment=Assessment.objects.get(commune=scenario.a2, period="2021-H1"), by=cast.staff)
    after, html = board()
    assert "Xã A Hai" in after["approved"] and "Xã A Hai" not in after["submitted"]
    assert cells(html, "matrix", "commune")["09902"][0] == "Xã A Hai"  # counted now, without the "Đã gửi" badge
