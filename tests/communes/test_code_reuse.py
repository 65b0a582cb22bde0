"""The code-reuse trap: 03334 was Xã Thanh Xương until 30/06/2025 and is Phường Mường Thanh since 01/07/2025.
Pages (?on=), the API (on=) and the assessment URLs (the period's map date) resolve a code to the unit valid
on the day; a code without a day that names two units is refused with a clear message."""

import datetime

import pytest

from accounts.models import Role
from communes.models import Commune
from communes.selectors import AmbiguousUnit, UnitNotFound, unit_for_code
from communes.services import DIEN_BIEN_FILE, REFORM_2025_FILE, units_import
from criteria.models import Assessment, CriteriaSet
from tests.conftest import _user

pytestmark = pytest.mark.django_db

OLD_DAY = datetime.date(2021, 6, 30)
REFORM_DAY = datetime.date(2025, 7, 1)


@pytest.fixture
def both_maps(db):
    units_import(text=DIEN_BIEN_FILE.read_text(encoding="utf-8"))
    units_import(text=REFORM_2025_FILE.read_text(encoding="utf-8"), valid_from=REFORM_DAY,
                 decision="NQ 1661/NQ-UBTVQH15")
    return {
        "old": Commune.objects.get(code="03334", valid_from__isnull=True),
        "new": Commune.objects.get(code="03334", valid_from=REFORM_DAY),
    }


@pytest.fixture
def leader(db):
    return _user("leader", Role.LEADER)


def test_the_resolver_takes_the_unit_valid_on_the_day(both_maps):
    assert unit_for_code("03334", OLD_DAY) == both_maps["old"]
    assert unit_for_code("03334", datetime.date(2025, 6, 30)) == both_maps["old"]
    assert unit_for_code("03334", REFORM_DAY) == both_maps["new"]
    assert unit_for_code("03334") == both_maps["new"]  # default: today (after the reform)
    assert unit_for_code("03334", REFORM_DAY, province="11") == both_maps["new"]
    with pytest.raises(AmbiguousUnit) as ambiguous:
        unit_for_code("03334", None)
    assert str(ambiguous.value) == (
        "Mã 03334 chỉ nhiều đơn vị theo thời gian (Xã Thanh Xương (đến 30/06/2025); Phường Mường Thanh (từ "
        "01/07/2025)): hãy chọn ngày (on=YYYY-MM-DD)."
    )
    # an old code no new unit took is valid only before the reform
    assert unit_for_code("03124", None).name == "Phường Noong Bua"
    with pytest.raises(UnitNotFound, match="Không có đơn vị hành chính mã 03124 có hiệu lực ngày 01/07/2025."):
        unit_for_code("03124", REFORM_DAY)
    with pytest.raises(UnitNotFound):
        unit_for_code("03334", REFORM_DAY, province="12")


def test_commune_page_shows_the_unit_of_the_day_and_links_the_other(client, both_maps, leader):
    client.force_login(leader)
    old = client.get("/communes/03334/", {"on": "2021-06-30"})
    assert old.status_code == 200
    page = old.content.decode()
    assert "<h1>Xã Thanh Xương" in page
    assert "Hiệu lực: đến 30/06/2025" in page
    assert 'href="/communes/03334/?on=2025-07-01">Phường Mường Thanh</a>' in page  # the other unit, and the successor
    assert "Huyện Điện Biên" in page
    new = client.get("/communes/03334/").content.decode()  # default: today
    assert "<h1>Phường Mường Thanh" in new
    assert "Hiệu lực: từ 01/07/2025" in new
    assert 'href="/communes/03334/?on=2025-06-30">Xã Thanh Xương</a>' in new
    assert 'href="/communes/03124/?on=2025-06-30">Phường Noong Bua</a>' in new  # a predecessor
    # dd/mm/yyyy is taken too; a bad day is a 400 with the reason; a code not valid that day is a 404
    assert "<h1>Xã Thanh Xương" in client.get("/communes/03334/", {"on": "01/01/2025"}).content.decode()
    bad = client.get("/communes/03334/", {"on": "2025-02-30"})
    assert bad.status_code == 400 and "Ngày không hợp lệ: “2025-02-30”" in bad.content.decode()
    gone = client.get("/communes/03124/")
    assert gone.status_code == 404


def test_commune_list_page_shows_the_map_of_the_chosen_day(client, both_maps, leader):
    client.force_login(leader)
    assert "45 đơn vị hành chính cấp xã" in client.get("/communes/").content.decode()
    old = client.get("/communes/", {"on": "30/06/2025"}).content.decode()
    assert "129 đơn vị hành chính cấp xã" in old and "Xã Thanh Xương" in old and "Phường Mường Thanh" in old  # the old phường of 094
    assert 'href="/communes/03334/?on=2025-06-30">Xã Thanh Xương</a>' in old


def test_api_resolves_the_code_on_the_day(api, both_maps, leader):
    client = api(leader)
    old = client.get("/api/v1/communes/03334/", {"on": "2021-06-30"}).json()
    assert (old["name"], old["district"], old["valid_from"], old["valid_to"]) == ("Xã Thanh Xương", "100", None, "2025-06-30")
    assert old["predecessors"] == []
    assert old["successors"] == [{"code": "03334", "name": "Phường Mường Thanh", "valid_from": "2025-07-01",
                                  "valid_to": None, "effective_date": "2025-07-01"}]
    new = client.get("/api/v1/communes/03334/").json()
    assert (new["name"], new["district"], new["valid_from"], new["valid_to"]) == ("Phường Mường Thanh", None, "2025-07-01", None)
    assert [(p["code"], p["name"], p["valid_to"]) for p in new["predecessors"]] == [
        ("03124", "Phường Noong Bua", "2025-06-30"), ("03139", "Phường Nam Thanh", "2025-06-30"),
        ("03334", "Xã Thanh Xương", "2025-06-30"),
    ]
    missing = client.get("/api/v1/communes/03124/", {"on": "2025-07-01"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Không có đơn vị hành chính mã 03124 có hiệu lực ngày 01/07/2025."}
    assert client.get("/api/v1/communes/03334/", {"on": "2025-13-01"}).status_code == 400
    assert client.get("/api/v1/communes/03334/", {"on": ""}).status_code == 400
    # the list: the map of the day, default today
    assert client.get("/api/v1/communes/").json()["count"] == 45
    assert client.get("/api/v1/communes/", {"on": "2025-06-30"}).json()["count"] == 129
    assert client.get("/api/v1/communes/", {"on": "2025-07-01", "kind": "xa"}).json()["count"] == 42
    assert client.get("/api/v1/communes/", {"on": "bad"}).status_code == 400


def test_api_list_queries_do_not_grow_with_units_or_lineage(api, both_maps, leader, django_assert_num_queries):
    client = api(leader)
    # count, page (district and province joined), predecessors, successors: the same on both maps
    with django_assert_num_queries(4):
        assert client.get("/api/v1/communes/", {"on": "2021-06-30", "page_size": 200}).json()["count"] == 129
    with django_assert_num_queries(4):
        assert client.get("/api/v1/communes/", {"on": "2025-07-01", "page_size": 200}).json()["count"] == 45


def test_assessment_urls_resolve_the_code_on_the_periods_map(client, api, both_maps, leader):
    old_set, new_set = CriteriaSet.objects.get(code="2016-2020"), CriteriaSet.objects.get(code="2026-2030")
    Assessment.objects.create(commune=both_maps["old"], period="2021-H1", criteria_set=old_set)
    Assessment.objects.create(commune=both_maps["new"], period="2026-H1", criteria_set=new_set)
    client.force_login(leader)
    page_2021 = client.get("/criteria/communes/03334/2021-H1/")
    assert page_2021.status_code == 200 and page_2021.context["commune"] == both_maps["old"]
    page_2026 = client.get("/criteria/communes/03334/2026-H1/")
    assert page_2026.status_code == 200 and page_2026.context["commune"] == both_maps["new"]
    reader = api(leader)
    doc_2021 = reader.get("/api/v1/communes/03334/assessments/2021-H1/").json()
    doc_2026 = reader.get("/api/v1/communes/03334/assessments/2026-H1/").json()
    assert (doc_2021["commune_name"], doc_2021["criteria_set"]) == ("Xã Thanh Xương", "2016-2020")
    assert (doc_2026["commune_name"], doc_2026["criteria_set"]) == ("Phường Mường Thanh", "2026-2030")
    # an old unit that no new unit's code kept has no 2026-H1 page
    assert client.get("/criteria/communes/03124/2026-H1/").status_code == 404


def test_a_decision_recorded_on_the_old_units_page_goes_to_the_old_unit(client, both_maps):
    client.force_login(_user("staff", Role.PROVINCE_STAFF))
    page = client.get("/communes/03334/", {"on": "2021-06-30"}).content.decode()
    assert 'action="/communes/03334/recognitions/?on=2021-06-30"' in page
    response = client.post("/communes/03334/recognitions/?on=2021-06-30", {
        "level": "standard", "action": "grant", "decision_number": "123/QĐ-UBND", "decision_date": "15/06/2021",
        "issuer": "UBND tỉnh",
    })
    assert response.status_code == 302 and response["Location"] == "/communes/03334/?on=2025-06-30"
    assert list(both_maps["old"].recognitions.values_list("decision_number", flat=True)) == ["123/QĐ-UBND"]
    assert not both_maps["new"].recognitions.exists()


def test_targets_of_a_year_are_set_on_the_map_valid_at_its_end(client, both_maps):
    from communes.models import CommuneTarget

    client.force_login(_user("staff", Role.PROVINCE_STAFF))
    old, new = (Commune.objects.get(code="03328", valid_from=start) for start in (None, REFORM_DAY))  # both xã
    for year, unit in ((2021, old), (2026, new)):
        response = client.post(f"/targets/?year={year}", {
            "action": "commune", "year": year, "commune": "03328", "level": "standard", "source": "KH",
        })
        assert response.status_code == 302
        assert CommuneTarget.objects.get(year=year).commune == unit
    page = client.get("/targets/", {"year": 2026}).content.decode()
    assert "Phường Noong Bua" not in page  # an old unit is not offered for a year after the reform


def test_commune_list_page_queries_do_not_grow_with_the_map(client, both_maps, leader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(leader)
    counts = []
    for day in ("2021-06-30", "2025-07-01"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/communes/", {"on": day}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


def test_districts_page_and_api_follow_the_map_of_the_day(both_maps, client, leader, api):
    """After the reform the map has no district-level units: the page says so and links to the last day that
    had them; the API's ``on=`` lists the districts valid that day."""
    client.force_login(leader)
    page = client.get("/districts/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "không còn đơn vị cấp huyện" in body and "?on=2025-06-30" in body
    old = client.get("/districts/", {"on": "2025-06-30"}).content.decode()
    assert "không còn đơn vị cấp huyện" not in old and "Huyện Tuần Giáo" in old
    today = api(leader).get("/api/v1/districts/", {"on": "2026-12-01"}).json()
    before = api(leader).get("/api/v1/districts/", {"on": "2021-06-30"}).json()
    assert today["count"] == 0 and before["count"] == 10
    assert {row["valid_to"] for row in before["results"]} == {"2025-06-30"}
    assert api(leader).get("/api/v1/districts/", {"on": "2021-13-30"}).status_code == 400


def test_value_history_page_names_the_unit_of_its_day(both_maps, client, leader):
    client.force_login(leader)
    old = client.get("/criteria/communes/03334/history/", {"on": "2021-06-30"})
    new = client.get("/criteria/communes/03334/history/")
    assert old.status_code == new.status_code == 200
    assert old.context["commune"] == both_maps["old"] and new.context["commune"] == both_maps["new"]
    assert client.get("/criteria/communes/03334/history/", {"on": "2021-02-30"}).status_code == 400


def test_the_workbooks_resolve_a_reused_code_on_the_periods_map(both_maps, api):
    """Excel (the workbooks API, same code as the page): 03334 is Xã Thanh Xương in a 2021-H1 workbook and, in
    2026-H1, Phường Mường Thanh, which NTM does not assess; 03253 is the reverse (Thị trấn Tuần Giáo, then Xã
    Tuần Giáo)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    staff = _user("staff", Role.PROVINCE_STAFF)

    def rows(period, code):
        answer = api(staff).get("/api/v1/workbooks/", {"period": period, "commune": code})
        assert answer.status_code == 200, answer.content
        data = list(load_workbook(io.BytesIO(answer.content), read_only=True)["Số liệu"].iter_rows(values_only=True))
        return answer.content, {(row[0], row[1]) for row in data[1:]}

    old_book, old_rows = rows("2021-H1", "03334")
    assert old_rows == {("03334", "Xã Thanh Xương")}
    new_book, new_rows = rows("2026-H1", "03253")
    assert new_rows == {("03253", "Xã Tuần Giáo")}
    for book, period_unit in ((old_book, both_maps["old"]), (new_book, Commune.objects.get(code="03253",
                                                                                          valid_from=REFORM_DAY))):
        upload = api(staff).post("/api/v1/workbooks/", {"file": SimpleUploadedFile("so-lieu.xlsx", book)},
                                 format="multipart")
        assert upload.status_code == 200, upload.content
        assert upload.json()["skipped"] == [{"commune": period_unit.code, "reason": "không thay đổi"}]
    # the ward and the thị trấn are not in their period's workbook: asking for them alone is a clear 400
    for period, code in (("2026-H1", "03334"), ("2021-H1", "03253")):
        answer = api(staff).get("/api/v1/workbooks/", {"period": period, "commune": code})
        assert answer.status_code == 400, (period, code, answer.status_code)
        assert answer.json()["commune"]
