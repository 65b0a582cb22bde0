"""API.md "Reports": POST /api/v1/reports/ → 202; GET /api/v1/reports/{id}/; GET file_url → PDF. Scope per role."""

import pytest

from reports.models import Report, ReportStatus

from .conftest import PERIOD, broker_unreachable

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/reports/"


def test_leader_asks_for_the_province_report_and_downloads_it(api, cast, units):
    # when the leader posts the request (rendered in-process here)
    response = api(cast.leader).post(URL, {"kind": "province", "period": PERIOD}, format="json")
    # then 202 with id, kind, period, status
    assert response.status_code == 202
    body = response.json()
    report = Report.objects.get()
    assert {key: body[key] for key in ("id", "kind", "period", "status")} == {
        "id": report.pk, "kind": "province", "period": PERIOD, "status": "done"
    }
    # and the report document has the API.md fields and a file_url that serves the PDF
    detail = api(cast.leader).get(f"{URL}{report.pk}/").json()
    assert set(detail) >= {"id", "kind", "period", "status", "file_url", "error", "pages", "created_at", "finished_at",
                           "cut_off", "final", "number", "sha256"}
    assert detail["file_url"] == f"http://testserver/api/v1/reports/{report.pk}/file/"
    assert detail["draft_url"] == f"http://testserver/api/v1/reports/{report.pk}/draft/"
    assert (detail["status"], detail["error"], detail["pages"]) == ("done", "", report.pages)
    # a draft: not final, no number, no hash; the figures' date is the one the snapshot resolved
    assert (detail["final"], detail["number"], detail["sha256"]) == (False, None, None)
    assert detail["cut_off"] == report.snapshot.get("cut_off", report.snapshot["data_cutoff_date"])
    pdf = api(cast.leader).get(detail["file_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="bao-cao-2021-H1-tinh-dien-bien-du-thao.pdf"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_district_officer_asks_for_its_district_by_code(api, cast, units):
    response = api(cast.officer_a).post(URL, {"kind": "district", "period": PERIOD, "district": "099"}, format="json")
    assert response.status_code == 202
    report = Report.objects.get()
    assert (report.kind, report.district, report.requested_by) == ("district", units.district_a, cast.officer_a)
    assert response.json()["district"] == "099"


def test_broker_down_answers_202_queued_and_says_it_was_not_sent(api, cast, units):
    with broker_unreachable():
        response = api(cast.staff).post(URL, {"kind": "province", "period": PERIOD}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["dispatched"], body["file_url"]) == ("queued", False, None)
    assert body["message"] == "Đã ghi nhận yêu cầu nhưng chưa gửi được đến máy dựng báo cáo; hệ thống sẽ tự gửi lại."


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"kind": "province", "period": "2021-Q3"},
         {"period": ["Kỳ không hợp lệ: “2021-Q3”. Dùng dạng 2021-H1, 2021-H2 hoặc 2021."]}),
        ({"kind": "district", "period": PERIOD}, {"district": ["Báo cáo cấp huyện cần chọn huyện."]}),
        ({"kind": "district", "period": PERIOD, "district": "777"}, {"district": ["Không có huyện mã “777”."]}),
        ({"period": PERIOD}, {"kind": ["Trường này là bắt buộc."]}),
        ({"kind": "province", "period": PERIOD, "cut_off": "30/06/2021"},
         {"cut_off": ["Ngày sai định dạng. Dùng một trong những định dạng sau để thay thế: YYYY-MM-DD."]}),
        ({"kind": "province", "period": PERIOD, "cut_off": "2020-12-31"},
         {"cut_off": ["Ngày chốt số liệu không được trước ngày đầu kỳ 2021-H1 (01/01/2021)."]}),
        ({"kind": "province", "period": PERIOD, "cut_off": "2099-01-01"}, "cut_off after today"),
    ],
)
def test_bad_requests_answer_400_with_field_messages(api, cast, units, payload, errors):
    if errors == "cut_off after today":
        from django.utils import timezone

        errors = {"cut_off": [f"Ngày chốt số liệu không được sau hôm nay ({timezone.localdate():%d/%m/%Y})."]}
    response = api(cast.staff).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert Report.objects.count() == 0


def test_a_cut_off_date_is_kept_and_distinguishes_requests(api, cast, units):
    # given the broker is down (the reports stay queued, so the request is what is stored)
    with broker_unreachable():
        first = api(cast.staff).post(URL, {"kind": "province", "period": PERIOD, "cut_off": "2021-06-30"},
                                     format="json").json()
        same = api(cast.staff).post(URL, {"kind": "province", "period": PERIOD, "cut_off": "2021-06-30"},
                                    format="json").json()
        other = api(cast.staff).post(URL, {"kind": "province", "period": PERIOD}, format="json").json()
    # then the same cut-off is the same unfinished report, another one (or none) another report
    assert (first["cut_off"], same["id"], other["cut_off"]) == ("2021-06-30", first["id"], None)
    assert other["id"] != first["id"]
    assert Report.objects.get(pk=first["id"]).cut_off.isoformat() == "2021-06-30"


def test_messages_follow_the_request_language(api, cast, units):
    response = api(cast.staff, language="en").post(URL, {"kind": "district", "period": PERIOD}, format="json")
    assert response.status_code == 400
    assert response.json() == {"district": ["A district report needs a district."]}


def test_anonymous_gets_401(api, units):
    assert api().post(URL, {"kind": "province", "period": PERIOD}, format="json").status_code == 401
    assert api().get(f"{URL}1/").status_code == 401
    assert api().get(f"{URL}1/file/").status_code == 401
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "payload"),
    [
        ("agency_officer", {"kind": "province", "period": PERIOD}),
        ("officer_a", {"kind": "province", "period": PERIOD}),
        ("officer_b", {"kind": "district", "period": PERIOD, "district": "099"}),
    ],
)
def test_requests_outside_the_scope_answer_403_and_write_nothing(api, cast, units, who, payload):
    response = api(getattr(cast, who)).post(URL, payload, format="json")
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_downloads_follow_the_scope(api, cast, units):
    # given a province report and a district A report, both done
    api(cast.staff).post(URL, {"kind": "province", "period": PERIOD}, format="json")
    api(cast.staff).post(URL, {"kind": "district", "period": PERIOD, "district": "099"}, format="json")
    province, district_a = Report.objects.order_by("pk")
    assert [province.status, district_a.status] == [ReportStatus.DONE, ReportStatus.DONE]
    expected = {
        # leaders and province staff: everything; officer A: its district only; officer B, agency: nothing
        "leader": {province.pk: 200, district_a.pk: 200},
        "staff": {province.pk: 200, district_a.pk: 200},
        "officer_a": {province.pk: 404, district_a.pk: 200},
        "officer_b": {province.pk: 404, district_a.pk: 404},
        "agency_officer": {province.pk: 404, district_a.pk: 404},
    }
    for who, answers in expected.items():
        client = api(getattr(cast, who))
        for pk, code in answers.items():
            assert client.get(f"{URL}{pk}/").status_code == code, (who, pk)
            assert client.get(f"{URL}{pk}/file/").status_code == code, (who, pk)
    listed = {who: [row["id"] for row in api(getattr(cast, who)).get(URL).json()["results"]] for who in expected}
    assert listed == {
        "leader": [district_a.pk, province.pk], "staff": [district_a.pk, province.pk],
        "officer_a": [district_a.pk], "officer_b": [], "agency_officer": [],
    }


def test_unknown_report_is_404(api, cast, units):
    assert api(cast.leader).get(f"{URL}999999/").status_code == 404
    assert api(cast.leader).get(f"{URL}999999/file/").status_code == 404


def test_file_of_an_unfinished_report_is_404(api, cast, units):
    with broker_unreachable():
        api(cast.leader).post(URL, {"kind": "province", "period": PERIOD}, format="json")
    report = Report.objects.get()
    assert api(cast.leader).get(f"{URL}{report.pk}/").json()["file_url"] is None
    assert api(cast.leader).get(f"{URL}{report.pk}/file/").status_code == 404


def test_excel_of_the_report(api, cast, units):
    api(cast.leader).post(URL, {"kind": "province", "period": PERIOD}, format="json")
    report = Report.objects.get()
    response = api(cast.leader).get(f"{URL}{report.pk}/excel/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.content[:2] == b"PK"
