"""Issue 11 item 2 and 4 in the reports: a post-reform period's report lists communes directly under the
province and compares with the last pre-reform period; a straddling year says which map it is counted on; a
district report for a post-reform period is refused with a clear message (page and API), nothing written."""

import pytest
from django.core.cache import cache

from reports import services
from reports.builders import report_snapshot
from reports.models import Report, ReportKind, ReportStatus
from tests.overview.reform_map import build_reform_scenario

from .conftest import flat, pdf_text


@pytest.fixture
def reform(units):
    cache.clear()
    return build_reform_scenario(units)


@pytest.mark.django_db
def test_a_post_reform_snapshot_lists_communes_and_compares(reform):
    ntm = report_snapshot(kind=ReportKind.PROVINCE, period="2026-H1", province=reform.province)["ntm"]
    assert (ntm["hierarchy"], ntm["districts"], ntm["straddles_reform"]) == ("commune", [], False)
    assert [(u["code"], u["met_count"]) for u in ntm["units"]] == [("20001", 10), ("20002", 4)]
    assert all(row["district"] == "" for row in ntm["matrix"]["rows"])
    c = ntm["comparison"]
    assert c["basis"] == "2025-H1: 3 xã; 2026-H1: 2 xã" and c["same_set"] is False
    assert [(s["period"], s["communes_total"], s["met_all_share"], s["standard_share"]) for s in c["sides"]] == [
        ("2025-H1", 3, "66.7", "66.7"), ("2026-H1", 2, "50.0", "0.0"),
    ]


@pytest.mark.django_db
def test_a_pre_reform_snapshot_keeps_districts_and_a_straddling_year_says_its_map(reform):
    before = report_snapshot(kind=ReportKind.PROVINCE, period="2025-H1", province=reform.province)["ntm"]
    assert before["hierarchy"] == "district" and [d["code"] for d in before["districts"]] == ["099", "100"]
    assert before["comparison"] is None and before["units"] == []
    year = report_snapshot(kind=ReportKind.PROVINCE, period="2025", province=reform.province)["ntm"]
    assert year["straddles_reform"] is True and year["map_date"] == "2025-12-31"


@pytest.mark.django_db
def test_a_district_report_for_a_post_reform_period_is_refused(api, login, cast, reform):
    response = api(cast.staff).post(
        "/api/v1/reports/", {"kind": "district", "period": "2026-H1", "district": "099"}, format="json")
    assert response.status_code == 400
    assert "không còn Huyện Tuần Giáo" in response.json()["district"][0]
    page = login(cast.staff).post("/reports/new/", {"kind": "district", "period": "2026-H1", "district": "099"})
    assert page.status_code == 400 and "từ 01/07/2025 không còn cấp huyện" in page.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_post_reform_pdf_has_communes_the_comparison_and_no_district_column(units, cast):
    cache.clear()
    build_reform_scenario(units)
    report = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period="2026-H1")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    text = flat(pdf_text(report.file.read()))
    assert "Kết quả theo xã (trực thuộc tỉnh)" in text and "Xã Tân Một" in text
    assert "Kết quả theo đơn vị cấp huyện" not in text
    assert "cơ sở so sánh: 2025-H1: 3 xã; 2026-H1: 2 xã" in text
    assert "66,7" in text
    year = services.report_request(user=cast.leader, kind=ReportKind.PROVINCE, period="2025")
    year.refresh_from_db()
    assert "tính theo bản đồ đơn vị hành chính có hiệu lực ngày 31/12/2025 (cuối kỳ)" in flat(pdf_text(year.file.read()))
    # a district report before the reform is still accepted
    district = services.report_request(user=cast.leader, kind=ReportKind.DISTRICT, period="2025-H1",
                                       district=units.district_a)
    district.refresh_from_db()
    assert district.status == ReportStatus.DONE


@pytest.mark.django_db
def test_the_excel_file_follows_the_map(reform):
    import io

    from openpyxl import load_workbook

    from reports.excel import report_workbook

    after = load_workbook(io.BytesIO(report_workbook(
        report_snapshot(kind=ReportKind.PROVINCE, period="2026-H1", province=reform.province))))
    assert "Theo xã" in after.sheetnames and "Theo huyện" not in after.sheetnames
    assert [row[0] for row in after["Theo xã"].iter_rows(min_row=2, values_only=True)] == ["20001", "20002"]
    sides = list(after["So sánh trước sắp xếp"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[5]) for row in sides] == [("2025-H1", 3, 66.7), ("2026-H1", 2, 50.0)]
    before = load_workbook(io.BytesIO(report_workbook(
        report_snapshot(kind=ReportKind.PROVINCE, period="2025-H1", province=reform.province))))
    assert "Theo huyện" in before.sheetnames and "Theo xã" not in before.sheetnames
