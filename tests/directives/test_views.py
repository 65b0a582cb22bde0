"""Pages: who may see and do what, and what they show."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import services
from directives.models import Document, Recommendation, Task, TaskStatus, TaskUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def sct_task(make_task, other_agency, today):
    """A task SCT leads alone (the agency officer of SNNPTNT has nothing to do with it)."""
    return make_task(content="Cấp điện cho các bản chưa có điện", lead_agency=other_agency, due_date=today)


@pytest.fixture
def snn_task(make_task, units, today):
    return make_task(
        content="Tham mưu Kế hoạch phát triển sản phẩm OCOP", due_date=today - timedelta(days=2),
        due_label="", districts=[units.district_a],
    )


@pytest.mark.parametrize(
    "url",
    ["/directives/tasks/", "/directives/mine/", "/directives/tasks/new/", "/directives/documents/",
     "/directives/documents/new/", "/directives/recommendations/", "/directives/recommendations/new/"],
)
def test_anonymous_is_sent_to_login(client, url, units):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_post_of_an_update_is_sent_to_login_and_nothing_is_written(client, snn_task):
    response = client.post(f"/directives/tasks/{snn_task.pk}/updates/", {"status": "done", "note": "Xong", "version": snn_task.version})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert TaskUpdate.objects.count() == 0


# --- task board ----------------------------------------------------------------------------------------


def test_board_filters_by_agency_district_status(cast, login, snn_task, sct_task, make_task, units):
    client = login(cast.leader)
    coordinated = make_task(content="SNNPTNT phối hợp", lead_agency=sct_task.lead_agency, coordinating=[snn_task.lead_agency])
    by_agency = client.get("/directives/tasks/", {"agency": "SNNPTNT"})
    assert [task.pk for task in by_agency.context["tasks"]] == [snn_task.pk, coordinated.pk]
    by_district = client.get("/directives/tasks/", {"district": "099"})
    assert [task.pk for task in by_district.context["tasks"]] == [snn_task.pk]
    by_status = client.get("/directives/tasks/", {"status": "not_started", "agency": "SCT"})
    assert [task.pk for task in by_status.context["tasks"]] == [sct_task.pk, coordinated.pk]


def test_board_shows_overdue_highlight_and_labels(cast, login, snn_task, sct_task):
    response = login(cast.officer_b).get("/directives/tasks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<tr id="task-{snn_task.pk}" class="overdue">' in html
    assert f'<tr id="task-{sct_task.pk}">' in html
    assert html.count('<span class="badge overdue">Quá hạn</span>') == 1
    assert "Giao nhiệm vụ" not in html  # only province staff see the create button


def test_board_ignores_an_unknown_filter_value_with_a_message(cast, login, snn_task):
    response = login(cast.leader).get("/directives/tasks/", {"agency": "XYZ"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


# --- task page and progress updates --------------------------------------------------------------------


def test_task_page_shows_update_form_only_to_those_allowed(cast, login, snn_task):
    url = f"/directives/tasks/{snn_task.pk}/"
    assert 'id="update-form"' in login(cast.agency_officer).get(url).content.decode()
    assert 'id="update-form"' in login(cast.officer_a).get(url).content.decode()  # the task names district A
    assert 'id="update-form"' not in login(cast.officer_b).get(url).content.decode()
    assert 'id="update-form"' not in login(cast.leader).get(url).content.decode()


def test_task_page_404_for_unknown_task(cast, login, units):
    assert login(cast.leader).get("/directives/tasks/999999/").status_code == 404


def test_agency_officer_reports_progress_through_the_page(cast, login, snn_task):
    client = login(cast.agency_officer)
    response = client.post(
        f"/directives/tasks/{snn_task.pk}/updates/", {"status": "in_progress", "note": "Đã có dự thảo Kế hoạch", "version": snn_task.version}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/directives/tasks/{snn_task.pk}/"
    snn_task.refresh_from_db()
    assert snn_task.status == TaskStatus.IN_PROGRESS
    page = client.get(f"/directives/tasks/{snn_task.pk}/").content.decode()
    assert "Đã có dự thảo Kế hoạch" in page
    assert "Đã ghi báo cáo tiến độ." in page


def test_agency_officer_of_another_agency_gets_403_and_the_task_is_unchanged(cast, login, sct_task):
    response = login(cast.agency_officer).post(f"/directives/tasks/{sct_task.pk}/updates/", {"status": "done", "note": "Xong", "version": sct_task.version})
    assert response.status_code == 403
    sct_task.refresh_from_db()
    assert (sct_task.status, TaskUpdate.objects.count()) == (TaskStatus.NOT_STARTED, 0)


def test_other_district_officer_gets_403_and_the_task_is_unchanged(cast, login, snn_task):
    response = login(cast.officer_b).post(f"/directives/tasks/{snn_task.pk}/updates/", {"status": "done", "note": "Xong", "version": snn_task.version})
    assert response.status_code == 403
    snn_task.refresh_from_db()
    assert (snn_task.status, TaskUpdate.objects.count()) == (TaskStatus.NOT_STARTED, 0)


def test_leader_gets_403_and_nothing_is_written(cast, login, snn_task):
    response = login(cast.leader).post(f"/directives/tasks/{snn_task.pk}/updates/", {"status": "done", "note": "Xong", "version": snn_task.version})
    assert response.status_code == 403
    assert TaskUpdate.objects.count() == 0


def test_empty_note_is_refused_on_the_page(cast, login, snn_task):
    response = login(cast.agency_officer).post(f"/directives/tasks/{snn_task.pk}/updates/", {"status": "done", "note": "", "version": snn_task.version})
    assert response.status_code == 400
    assert TaskUpdate.objects.count() == 0


def test_update_with_attachment_can_be_downloaded_by_readers(cast, login, snn_task, client):
    upload = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    login(cast.agency_officer).post(
        f"/directives/tasks/{snn_task.pk}/updates/", {"status": "in_progress", "note": "Kèm báo cáo", "version": snn_task.version, "attachment": upload}
    )
    update = TaskUpdate.objects.get()
    client.logout()
    assert client.get(f"/directives/updates/{update.pk}/attachment/").status_code == 302
    response = login(cast.leader).get(f"/directives/updates/{update.pk}/attachment/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"


def test_my_tasks_lists_the_agency_tasks_and_htmx_update_returns_the_row(cast, login, snn_task, sct_task, make_task):
    coordinated = make_task(content="SNNPTNT phối hợp", lead_agency=sct_task.lead_agency, coordinating=[snn_task.lead_agency])
    client = login(cast.agency_officer)
    page = client.get("/directives/mine/")
    assert [task.pk for task in page.context["tasks"]] == [snn_task.pk, coordinated.pk]
    response = client.post(
        f"/directives/tasks/{snn_task.pk}/updates/", {"status": "done", "note": "Đã trình UBND tỉnh", "version": snn_task.version}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="task-{snn_task.pk}">')  # done: no longer overdue
    assert '<span class="badge done">Hoàn thành</span>' in html
    assert "<html" not in html


def test_my_tasks_redirects_those_without_an_agency_or_district(cast, login, units):
    response = login(cast.leader).get("/directives/mine/")
    assert (response.status_code, response["Location"]) == (302, "/directives/tasks/")


# --- creating tasks and documents (province staff) -----------------------------------------------------


def _task_post(notice, **overrides):
    data = {
        "document": notice.pk, "reference": "3.(7)", "content": "Tham mưu Kế hoạch OCOP", "lead_agency": "SNNPTNT",
        "coordinating_agencies": ["SCT"], "districts": ["099"], "due_label": "Quý III/2021", "due_date": "",
    }
    data.update(overrides)
    return data


def test_staff_create_a_task_through_the_page(cast, login, notice, other_agency):
    response = login(cast.staff).post("/directives/tasks/new/", _task_post(notice))
    assert response.status_code == 302
    assert response["Location"] == f"/directives/documents/{notice.pk}/"
    task = Task.objects.get()
    assert (task.due_date, task.lead_agency.code) == (date(2021, 9, 30), "SNNPTNT")


def test_unreadable_label_on_the_page_shows_the_message_and_saves_nothing(cast, login, notice, other_agency):
    response = login(cast.staff).post("/directives/tasks/new/", _task_post(notice, due_label="cuối quý này"))
    assert response.status_code == 400
    assert "Không đọc được thời hạn “cuối quý này”." in response.content.decode()
    assert Task.objects.count() == 0


@pytest.mark.parametrize("who", ["agency_officer", "officer_a", "leader"])
def test_only_staff_may_create_tasks(cast, login, notice, other_agency, who):
    client = login(getattr(cast, who))
    assert client.get("/directives/tasks/new/").status_code == 403
    assert client.post("/directives/tasks/new/", _task_post(notice)).status_code == 403
    assert Task.objects.count() == 0


def test_staff_enter_a_document_with_a_file_and_readers_download_it(cast, login):
    client = login(cast.staff)
    upload = SimpleUploadedFile("63-TB-UBND.pdf", b"%PDF-1.4 notice", content_type="application/pdf")
    response = client.post(
        "/directives/documents/new/",
        {"number": "63/TB-UBND", "kind": "thong_bao", "date": "2021-08-16", "issuer": "UBND tỉnh",
         "title": "Kết luận Hội nghị 6 tháng đầu năm 2021", "summary": "", "file": upload},
    )
    document = Document.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/directives/documents/{document.pk}/")
    download = login(cast.officer_b).get(f"/directives/documents/{document.pk}/file/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 notice"


def test_leader_cannot_enter_or_edit_documents(cast, login, notice):
    client = login(cast.leader)
    data = {"number": "1/TB", "kind": "thong_bao", "issuer": "UBND tỉnh", "title": "T"}
    assert client.post("/directives/documents/new/", data).status_code == 403
    assert client.post(f"/directives/documents/{notice.pk}/edit/", data).status_code == 403
    notice.refresh_from_db()
    assert (Document.objects.count(), notice.number) == (1, "63/TB-UBND")


def test_staff_edit_a_document(cast, login, notice):
    response = login(cast.staff).post(
        f"/directives/documents/{notice.pk}/edit/",
        {"number": "63/TB-UBND", "kind": "thong_bao", "date": "2021-08-16", "issuer": "UBND tỉnh Điện Biên", "title": notice.title},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.issuer == "UBND tỉnh Điện Biên"


def test_document_page_lists_tasks_and_recommendations(cast, login, notice, snn_task, sct_task):
    recommendation = services.recommendation_create(
        by=cast.staff, document=notice, reference="4.(5)", from_districts=["100"], content="Hỗ trợ xóa nhà tạm",
    )
    services.recommendation_respond(by=cast.staff, recommendation=recommendation, response="Huyện chủ động huy động nguồn lực.")
    response = login(cast.leader).get(f"/directives/documents/{notice.pk}/")
    html = response.content.decode()
    assert [task.pk for task in response.context["page"].tasks] == [snn_task.pk, sct_task.pk]
    assert "Hỗ trợ xóa nhà tạm" in html and "Huyện chủ động huy động nguồn lực." in html
    assert response.context["page"].summary.overdue == 1


def test_document_list_counts_tasks(cast, login, notice, snn_task, sct_task):
    response = login(cast.leader).get("/directives/documents/")
    document = response.context["documents"][0]
    assert (document.task_count, document.done_count, document.overdue_count) == (2, 0, 1)


# --- recommendations -----------------------------------------------------------------------------------


@pytest.fixture
def recommendation(cast, notice):
    return services.recommendation_create(
        by=cast.staff, document=notice, reference="4.(3)", from_districts=["100"], content="Tháo gỡ vướng mắc lưới điện",
    )


def test_staff_respond_and_give_a_task(cast, login, recommendation, other_agency):
    response = login(cast.staff).post(
        f"/directives/recommendations/{recommendation.pk}/respond/",
        {"response": "Giao Sở Công Thương chủ trì.", "create_task": "on", "task_content": "Tham mưu cấp điện",
         "task_lead_agency": "SCT", "task_districts": ["100"], "task_due_label": "6 tháng cuối năm 2021"},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.recommendation, task.lead_agency.code, task.due_date) == (recommendation, "SCT", date(2021, 12, 31))
    register = login(cast.officer_a).get("/directives/recommendations/").content.decode()
    assert "Giao Sở Công Thương chủ trì." in register and "Tham mưu cấp điện" in register


def test_response_with_unreadable_task_deadline_saves_nothing(cast, login, recommendation, other_agency):
    response = login(cast.staff).post(
        f"/directives/recommendations/{recommendation.pk}/respond/",
        {"response": "Giao Sở Công Thương.", "create_task": "on", "task_content": "Cấp điện", "task_lead_agency": "SCT",
         "task_due_label": "sớm"},
    )
    assert response.status_code == 400
    assert "Không đọc được thời hạn “sớm”." in response.content.decode()
    recommendation.refresh_from_db()
    assert (recommendation.response, Task.objects.count()) == ("", 0)


@pytest.mark.parametrize("who", ["agency_officer", "officer_a", "leader"])
def test_only_staff_respond_to_recommendations(cast, login, recommendation, who):
    client = login(getattr(cast, who))
    response = client.post(f"/directives/recommendations/{recommendation.pk}/respond/", {"response": "Đồng ý"})
    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.response == ""


def test_staff_record_a_recommendation(cast, login, notice):
    response = login(cast.staff).post(
        "/directives/recommendations/new/",
        {"document": notice.pk, "reference": "4.(2)", "from_districts": ["099"], "content": "Sớm cấp vốn năm 2021"},
    )
    assert response.status_code == 302
    assert list(Recommendation.objects.values_list("content", "from_districts__code")) == [("Sớm cấp vốn năm 2021", "099")]
