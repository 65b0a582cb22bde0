"""Report pages: history and request form, the report page (HTMX polling, no-JS refresh), downloads, scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communes.models import Recognition
from criteria.models import CriteriaSet
from reports import builders
from reports.models import Report, ReportKind, ReportStatus
from tests.conftest import add_communes

from .conftest import PERIOD, _assess, broker_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


def _report(units, *, district=None, status=ReportStatus.DONE, **extra):
    """A report row for page tests (set-up only; the flow itself is tested in test_services)."""
    return Report.objects.create(
        kind=ReportKind.DISTRICT if district else ReportKind.PROVINCE, period=PERIOD, province=units.province,
        district=district, status=status, **extra,
    )


def test_leader_asks_for_a_report_and_lands_on_its_page(login, cast, units):
    client = login(cast.leader)
    response = client.post("/reports/new/", {"kind": "province", "period": PERIOD, "district": ""})
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/"
    page = client.get(response["Location"]).content.decode()
    # the message agrees with the status: the in-process worker has already finished it
    assert "Đã dựng xong báo cáo." in page
    assert "Báo cáo đang được dựng" not in page
    # a draft: the page says so and offers the draft's PDF (no final yet) and the Excel file
    assert "Chưa ban hành: tệp PDF có dấu “DỰ THẢO”, chưa có số." in page
    assert f'href="/reports/{report.pk}/draft/"' in page
    assert f'href="/reports/{report.pk}/pdf/"' not in page
    assert f'href="/reports/{report.pk}/excel/"' in page
    assert report.status == ReportStatus.DONE
    # the leader is not offered the issue form (province staff issue reports)
    assert f'action="/reports/{report.pk}/issue/"' not in page


def test_broker_down_the_page_says_the_report_waits(login, cast, units):
    client = login(cast.staff)
    with broker_unreachable():
        response = client.post("/reports/new/", {"kind": "district", "period": PERIOD, "district": "100"})
    page = client.get(response["Location"]).content.decode()
    assert "chưa gửi được đến máy dựng báo cáo (hàng đợi không phản hồi)" in page
    assert "Chưa gửi được yêu cầu đến máy dựng báo cáo; hệ thống sẽ tự gửi lại khi hàng đợi hoạt động." in page
    # an unfinished report polls with HTMX and, without JavaScript, refreshes itself
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page


def test_htmx_polling_gets_only_the_status_fragment(login, cast, units):
    report = _report(units, status=ReportStatus.RUNNING)
    response = login(cast.leader).get(f"/reports/{report.pk}/", HTTP_HX_REQUEST="true")
    body = response.content.decode().strip()
    assert body.startswith('<section id="report-status"')
    assert "Đang dựng báo cáo…" in body
    assert "<html" not in body
    report.status = ReportStatus.DONE
    report.save(update_fields=["status"])
    done = login(cast.leader).get(f"/reports/{report.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done


def test_a_bad_request_shows_the_form_again_with_the_message(login, cast, units):
    response = login(cast.staff).post("/reports/new/", {"kind": "district", "period": PERIOD, "district": ""})
    assert response.status_code == 400
    assert "Báo cáo cấp huyện cần chọn huyện." in response.content.decode()
    assert Report.objects.count() == 0


def test_officer_of_another_district_gets_403_and_nothing_is_written(login, cast, units):
    client = login(cast.officer_b)
    # the form offers officer B its own district only
    page = client.get("/reports/").content.decode()
    assert '<option value="100" selected>Huyện Điện Biên</option>' in page or '<option value="100">Huyện Điện Biên</option>' in page
    assert '<option value="099"' not in page
    assert client.post("/reports/new/", {"kind": "district", "period": PERIOD, "district": "099"}).status_code == 403
    assert client.post("/reports/new/", {"kind": "province", "period": PERIOD}).status_code == 403
    assert Report.objects.count() == 0


def test_agency_officer_is_refused_and_not_offered_the_form(login, cast, units):
    client = login(cast.agency_officer)
    page = client.get("/reports/").content.decode()
    assert "Tài khoản của bạn không yêu cầu hay tải báo cáo định kỳ." in page
    assert 'action="/reports/new/"' not in page
    response = client.post("/reports/new/", {"kind": "province", "period": PERIOD})
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_anonymous_is_sent_to_login(client, units):
    response = client.post("/reports/new/", {"kind": "province", "period": PERIOD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Report.objects.count() == 0


def test_downloads_follow_the_scope(login, cast, units):
    client = login(cast.staff)
    client.post("/reports/new/", {"kind": "province", "period": PERIOD})
    client.post("/reports/new/", {"kind": "district", "period": PERIOD, "district": "099"})
    province, district_a = Report.objects.order_by("pk")
    expected = {
        "leader": {province.pk: 200, district_a.pk: 200},
        "officer_a": {province.pk: 404, district_a.pk: 200},
        "officer_b": {province.pk: 404, district_a.pk: 404},
        "agency_officer": {province.pk: 404, district_a.pk: 404},
    }
    for who, answers in expected.items():
        client = login(getattr(cast, who))
        for pk, code in answers.items():
            for suffix in ("", "pdf/", "draft/", "excel/"):
                assert client.get(f"/reports/{pk}/{suffix}").status_code == code, (who, pk, suffix)
    response = login(cast.officer_a).get(f"/reports/{district_a.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-2021-H1-huyen-tuan-giao-du-thao.pdf"'


def test_history_lists_and_filters(login, cast, units):
    _report(units)
    _report(units, district=units.district_a, status=ReportStatus.FAILED, error="x")
    page = login(cast.leader).get("/reports/", {"status": "failed"}).content.decode()
    assert page.count('<span class="badge failed">') == 1
    assert '<span class="badge done">' not in page
    officer_page = login(cast.officer_a).get("/reports/").content.decode()
    assert officer_page.count('<span class="badge failed">') == 1
    assert '<span class="badge done">' not in officer_page


def test_comparison_with_today(login, cast, report_province):
    client = login(cast.leader)
    client.post("/reports/new/", {"kind": "province", "period": PERIOD})
    report = Report.objects.get()
    # a recognition decided today counts in today's figures, not in the report's (as of 29/08/2021)
    Recognition.objects.create(
        commune=report_province.communes_b[1], level="standard", decision_number="9/QĐ-UBND",
        decision_date=timezone.localdate(),
    )
    page = client.get(f"/reports/{report.pk}/", {"compare": "1"}).content.decode()
    assert '<tr class="changed"><td>Số xã đạt chuẩn trở lên</td><td class="num">1</td><td class="num">2</td></tr>' in page
    assert '<tr><td>Số tiêu chí bình quân/xã</td><td class="num">11,86</td><td class="num">11,86</td></tr>' in page


# --- query counts (C6): constant in the number of rows --------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/").status_code == 200
    return len(queries)


def test_history_page_queries_do_not_grow_with_reports(login, cast, units, django_assert_num_queries):
    client = login(cast.leader)
    for _ in range(5):
        _report(units, district=units.district_a, requested_by=cast.staff)
    _list_queries(client)  # warm up
    # 1 session, 2 user, 3 home province, 4 default period (criteria.frame), 5 districts of the form, 6 count,
    # 7 the page of reports (province, district, requester joined)
    with django_assert_num_queries(7):
        client.get("/reports/")
    for _ in range(5):
        _report(units, district=units.district_b, requested_by=cast.leader)
    with django_assert_num_queries(7):
        client.get("/reports/")


def test_api_list_queries_do_not_grow_with_reports(api, cast, units, django_assert_num_queries):
    client = api(cast.leader)
    for _ in range(5):
        _report(units, district=units.district_a, requested_by=cast.staff)
    client.get("/api/v1/reports/")
    # 1 count, 2 the page of reports (province, district joined)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/reports/").json()["count"] == 5
    for _ in range(5):
        _report(units, district=units.district_b, requested_by=cast.leader)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/reports/").json()["count"] == 10


def test_snapshot_queries_do_not_grow_with_communes(report_province, django_assert_num_queries):
    units = report_province.units
    criteria_set = CriteriaSet.objects.get(code="2016-2020")
    criteria = list(criteria_set.criteria.order_by("number"))
    builders.report_snapshot(kind="province", period=PERIOD, province=units.province)  # warm up
    with CaptureQueriesContext(connection) as first:
        builders.report_snapshot(kind="province", period=PERIOD, province=units.province)
    for index, commune in enumerate(add_communes(units.district_b, 7, start=20)):
        _assess(commune, criteria_set, criteria, 3 + index)
    # the same number of queries with twice the assessed communes
    with django_assert_num_queries(len(first)):
        snapshot = builders.report_snapshot(kind="province", period=PERIOD, province=units.province)
    assert snapshot["ntm"]["communes"] == 14
