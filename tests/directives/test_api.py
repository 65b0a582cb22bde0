"""API /api/v1/agencies/, /documents/, /tasks/, /tasks/{id}/, /tasks/{id}/updates/ (API.md "Directives")."""

from datetime import timedelta

import pytest

from directives.models import Agency, Document, Task, TaskStatus, TaskUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(make_task, other_agency, units, today):
    return {
        "snn": make_task(
            content="Tham mưu Kế hoạch OCOP", due_date=today - timedelta(days=1), due_label="", reference="3.(7)",
            coordinating=[other_agency], districts=[units.district_a],
        ),
        "sct": make_task(content="Cấp điện", lead_agency=other_agency, due_date=today + timedelta(days=3), reference="4.(3)a"),
    }


TASK_BODY = {
    "content": "Tham mưu Kế hoạch phát triển sản phẩm OCOP", "lead_agency": "SNNPTNT", "coordinating_agencies": ["SCT"],
    "districts": ["099", "100"], "due_label": "Quý III/2021", "reference": "3.(7)",
}


# --- anonymous -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/agencies/", "/api/v1/documents/", "/api/v1/tasks/", "/api/v1/tasks/1/"])
def test_anonymous_gets_401(api, url, units):
    assert api().get(url).status_code == 401


def test_anonymous_post_gets_401_and_nothing_is_written(api, tasks, notice):
    assert api().post(f"/api/v1/tasks/{tasks['snn'].pk}/updates/", {"note": "x", "status": "done"}, format="json").status_code == 401
    assert api().post("/api/v1/tasks/", {**TASK_BODY, "document": notice.pk}, format="json").status_code == 401
    assert (TaskUpdate.objects.count(), Task.objects.count()) == (0, 2)


# --- agencies and documents ----------------------------------------------------------------------------


def test_agency_list_and_create(api, cast, other_agency, units):
    assert api(cast.officer_a).get("/api/v1/agencies/").json()["results"] == [
        {"code": "SCT", "name": "Sở Công Thương", "kind": "department", "district": None},
        {"code": "SNNPTNT", "name": "Sở Nông nghiệp và Phát triển nông thôn", "kind": "department", "district": None},
    ]
    body = {"code": "UBND-099", "name": "UBND huyện Tuần Giáo", "kind": "district_committee", "district": "099"}
    response = api(cast.staff).post("/api/v1/agencies/", body, format="json")
    assert (response.status_code, response.json()) == (201, body)


@pytest.mark.parametrize("who", ["agency_officer", "officer_a", "leader"])
def test_only_staff_create_agencies(api, cast, who):
    response = api(getattr(cast, who)).post("/api/v1/agencies/", {"code": "SYT", "name": "Sở Y tế"}, format="json")
    assert response.status_code == 403
    assert not Agency.objects.filter(code="SYT").exists()


def test_document_create_and_list(api, cast):
    body = {"number": "63/TB-UBND", "kind": "thong_bao", "date": "2021-08-16", "issuer": "UBND tỉnh", "title": "Kết luận"}
    response = api(cast.staff).post("/api/v1/documents/", body, format="json")
    assert response.status_code == 201
    document = Document.objects.get()
    expected = {"id": document.pk, **body, "summary": "", "file_url": None}
    assert response.json() == expected
    assert api(cast.leader).get("/api/v1/documents/").json()["results"] == [expected]
    assert api(cast.leader).get(f"/api/v1/documents/{document.pk}/").json() == expected


def test_document_create_errors_are_field_messages(api, cast):
    response = api(cast.staff).post("/api/v1/documents/", {"number": "", "kind": "thong_bao", "issuer": "x", "title": "y"}, format="json")
    assert (response.status_code, response.json()) == (400, {"number": ["Hãy nhập số, ký hiệu văn bản (ví dụ 63/TB-UBND)."]})


@pytest.mark.parametrize("who", ["agency_officer", "officer_a", "leader"])
def test_only_staff_create_documents(api, cast, who):
    body = {"number": "1/TB", "kind": "thong_bao", "issuer": "UBND tỉnh", "title": "T"}
    assert api(getattr(cast, who)).post("/api/v1/documents/", body, format="json").status_code == 403
    assert Document.objects.count() == 0


# --- tasks ---------------------------------------------------------------------------------------------


def test_task_list_fields(api, cast, tasks, notice):
    rows = api(cast.officer_b).get("/api/v1/tasks/").json()["results"]
    snn = tasks["snn"]
    assert rows[0] == {
        "id": snn.pk, "document": notice.pk, "document_number": "63/TB-UBND", "reference": "3.(7)",
        "content": "Tham mưu Kế hoạch OCOP", "lead_agency": "SNNPTNT", "coordinating_agencies": ["SCT"],
        "districts": ["099"], "due_date": snn.due_date.isoformat(), "due_label": "", "status": "not_started", "communes": [],
        "overdue": True, "done_at": None, "note": "", "version": 1,
    }
    assert [(row["id"], row["overdue"]) for row in rows] == [(snn.pk, True), (tasks["sct"].pk, False)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"agency": "SNNPTNT"}, ["snn"]),
        ({"agency": "SCT"}, ["snn", "sct"]),  # SCT coordinates the first and leads the second
        ({"overdue": "true"}, ["snn"]),
        ({"overdue": "false"}, ["sct"]),
        ({"status": "in_progress"}, []),
        ({"district": "099"}, ["snn"]),
    ],
)
def test_task_list_filters(api, cast, tasks, query, expected):
    rows = api(cast.leader).get("/api/v1/tasks/", query).json()["results"]
    assert [row["id"] for row in rows] == [tasks[name].pk for name in expected]


def test_task_list_filters_by_document(api, cast, tasks, notice, make_task):
    other = Document.objects.create(number="211/QĐ-UBND", kind="quyet_dinh", issuer="UBND tỉnh", title="Đề án OCOP")
    elsewhere = make_task(document=other, content="Khác")
    rows = api(cast.leader).get("/api/v1/tasks/", {"document": other.pk}).json()["results"]
    assert [row["id"] for row in rows] == [elsewhere.pk]


def test_task_list_unknown_agency_filter_is_400(api, cast, tasks):
    response = api(cast.leader).get("/api/v1/tasks/", {"agency": "XYZ"})
    assert (response.status_code, response.json()) == (400, {"agency": ["Không có cơ quan mã “XYZ”."]})


def test_staff_create_a_task_with_a_label(api, cast, notice, other_agency, units):
    response = api(cast.staff).post("/api/v1/tasks/", {**TASK_BODY, "document": notice.pk}, format="json")
    assert response.status_code == 201
    task = Task.objects.get()
    body = response.json()
    assert body["id"] == task.pk
    assert (body["due_date"], body["due_label"], body["overdue"], body["status"]) == ("2021-09-30", "Quý III/2021", True, "not_started")
    assert (body["coordinating_agencies"], body["districts"]) == (["SCT"], ["099", "100"])


def test_staff_create_a_task_with_a_date(api, cast, notice, other_agency, units):
    body = {**TASK_BODY, "document": notice.pk, "due_label": "", "due_date": "2031-01-15"}
    response = api(cast.staff).post("/api/v1/tasks/", body, format="json")
    assert (response.status_code, response.json()["due_date"], response.json()["overdue"]) == (201, "2031-01-15", False)


def test_unknown_agency_is_400_naming_the_code_and_nothing_saved(api, cast, notice, other_agency, units):
    body = {**TASK_BODY, "document": notice.pk, "lead_agency": "SXD"}
    response = api(cast.staff).post("/api/v1/tasks/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"lead_agency": ["Không có cơ quan mã “SXD”."]})
    assert Task.objects.count() == 0


def test_unreadable_label_is_400_in_english_when_asked(api, cast, notice, other_agency, units):
    body = {**TASK_BODY, "document": notice.pk, "due_label": "as soon as possible"}
    response = api(cast.staff, language="en").post("/api/v1/tasks/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "due_label": [
            "Cannot read the deadline “as soon as possible”. Write a date (30/09/2021) or a period such as "
            "“Quý III/2021”, “tháng 9/2021”, “6 tháng cuối năm 2021”, “năm 2021”, or “Thường xuyên”."
        ]
    }
    assert Task.objects.count() == 0


def test_unknown_agency_message_in_english(api, cast, notice, other_agency, units):
    body = {**TASK_BODY, "document": notice.pk, "lead_agency": "SXD"}
    response = api(cast.staff, language="en").post("/api/v1/tasks/", body, format="json")
    assert response.json() == {"lead_agency": ["There is no agency with code “SXD”."]}


@pytest.mark.parametrize("who", ["agency_officer", "officer_a", "leader"])
def test_only_staff_create_tasks(api, cast, notice, other_agency, who):
    response = api(getattr(cast, who)).post("/api/v1/tasks/", {**TASK_BODY, "document": notice.pk}, format="json")
    assert response.status_code == 403
    assert Task.objects.count() == 0


def test_task_detail_with_updates_in_order(api, cast, tasks):
    task = tasks["snn"]
    client = api(cast.agency_officer)
    first = client.post(f"/api/v1/tasks/{task.pk}/updates/", {"note": "Đã có dự thảo", "status": "in_progress"}, format="json")
    second = client.post(f"/api/v1/tasks/{task.pk}/updates/", {"note": "Đã trình", "status": "done"}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (second.json()["task_status"], second.json()["author"]) == ("done", "agency_officer")
    body = api(cast.leader).get(f"/api/v1/tasks/{task.pk}/").json()
    assert (body["status"], body["overdue"]) == ("done", False)
    assert [(u["note"], u["status"], u["author"]) for u in body["updates"]] == [
        ("Đã có dự thảo", "in_progress", "agency_officer"),
        ("Đã trình", "done", "agency_officer"),
    ]
    assert body["updates"][0]["at"] <= body["updates"][1]["at"]


def test_task_detail_404(api, cast, units):
    response = api(cast.leader).get("/api/v1/tasks/999999/")
    assert (response.status_code, response.json()) == (404, {"detail": "Không tìm thấy."})


def test_coordinating_agency_officer_posts_an_update(api, cast, tasks, other_agency):
    from accounts.models import Role, User

    sct_officer = User.objects.create_user("sct", password="x", role=Role.AGENCY_OFFICER, agency=other_agency)
    response = api(sct_officer).post(f"/api/v1/tasks/{tasks['snn'].pk}/updates/", {"note": "Đã phối hợp"}, format="json")
    assert (response.status_code, response.json()["status"]) == (201, "not_started")


def test_update_by_officer_of_another_agency_is_403_and_nothing_saved(api, cast, tasks):
    response = api(cast.agency_officer).post(
        f"/api/v1/tasks/{tasks['sct'].pk}/updates/", {"note": "Xong", "status": "done"}, format="json"
    )
    assert (response.status_code, response.json()) == (
        403, {"detail": "Cơ quan của bạn không chủ trì, không phối hợp thực hiện nhiệm vụ này."}
    )
    tasks["sct"].refresh_from_db()
    assert (tasks["sct"].status, TaskUpdate.objects.count()) == (TaskStatus.NOT_STARTED, 0)


def test_update_by_other_district_officer_is_403(api, cast, tasks):
    response = api(cast.officer_b).post(f"/api/v1/tasks/{tasks['snn'].pk}/updates/", {"note": "Xong"}, format="json")
    assert response.status_code == 403
    assert TaskUpdate.objects.count() == 0


def test_update_by_leader_is_403_and_nothing_written(api, cast, tasks):
    response = api(cast.leader).post(f"/api/v1/tasks/{tasks['snn'].pk}/updates/", {"note": "Xong", "status": "done"}, format="json")
    assert response.status_code == 403
    tasks["snn"].refresh_from_db()
    assert (tasks["snn"].status, TaskUpdate.objects.count()) == (TaskStatus.NOT_STARTED, 0)


def test_update_with_bad_input_is_400(api, cast, tasks):
    client = api(cast.agency_officer)
    empty = client.post(f"/api/v1/tasks/{tasks['snn'].pk}/updates/", {"note": "", "status": "done"}, format="json")
    assert (empty.status_code, empty.json()) == (400, {"note": ["Hãy ghi nội dung báo cáo tiến độ."]})
    wrong = client.post(f"/api/v1/tasks/{tasks['snn'].pk}/updates/", {"note": "x", "status": "finished"}, format="json")
    assert (wrong.status_code, list(wrong.json())) == (400, ["status"])
    assert TaskUpdate.objects.count() == 0


def test_update_on_unknown_task_is_404(api, cast, units):
    assert api(cast.agency_officer).post("/api/v1/tasks/999999/updates/", {"note": "x"}, format="json").status_code == 404


def test_task_without_document_is_400(api, cast, other_agency, units):
    response = api(cast.staff).post("/api/v1/tasks/", TASK_BODY, format="json")
    assert (response.status_code, response.json()) == (400, {"document": ["Hãy chọn văn bản giao nhiệm vụ."]})
