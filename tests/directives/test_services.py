"""Services: tasks from documents, progress updates, recommendations and their responses."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from directives import services
from directives.deadlines import PROVINCE_TIME_ZONE
from directives.models import Agency, Document, DocumentKind, Recommendation, Task, TaskStatus, TaskUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _agencies(cast, other_agency):
    """SNNPTNT (the agency officer's) and SCT exist in every test here."""


def _task(staff, notice, **overrides):
    values = {
        "by": staff, "document": notice, "content": "Tham mưu Kế hoạch phát triển sản phẩm OCOP",
        "lead_agency": "SNNPTNT", "coordinating_agencies": ["SCT"], "districts": ["099", "100"],
        "due_label": "Quý III/2021", "reference": "3.(7)",
    }
    values.update(overrides)
    return services.task_create(**values)


# --- task_create ---------------------------------------------------------------------------------------


def test_task_create_reads_label_into_last_day_and_links_agencies_and_districts(cast, notice, other_agency):
    # given a notice / when staff give a task with a quarter label
    task = _task(cast.staff, notice)
    # then the deadline is the quarter's last day, the label is kept as written, agencies and districts by code
    task.refresh_from_db()
    assert (task.due_date, task.due_label) == (date(2021, 9, 30), "Quý III/2021")
    assert task.lead_agency.code == "SNNPTNT"
    assert [a.code for a in task.coordinating_agencies.order_by("code")] == ["SCT"]
    assert [d.code for d in task.districts.order_by("code")] == ["099", "100"]
    assert (task.status, task.done_at, task.created_by) == (TaskStatus.NOT_STARTED, None, cast.staff)


def test_task_create_with_a_date_only_keeps_an_empty_label(cast, notice):
    task = _task(cast.staff, notice, due_label="", due_date=date(2021, 10, 15))
    assert (task.due_date, task.due_label) == (date(2021, 10, 15), "")


def test_task_create_standing_label_has_no_deadline(cast, notice):
    task = _task(cast.staff, notice, due_label="Thường xuyên")
    assert (task.due_date, task.due_label) == (None, "Thường xuyên")


def test_task_create_accepts_document_id(cast, notice):
    task = _task(cast.staff, notice.pk)
    assert task.document == notice


def test_unknown_agency_is_refused_naming_the_code_and_nothing_is_saved(cast, notice, other_agency):
    with pytest.raises(ValidationError) as caught:
        _task(cast.staff, notice, lead_agency="SXD", coordinating_agencies=["SCT", "SGTVT"])
    assert caught.value.message_dict == {
        "lead_agency": ["Không có cơ quan mã “SXD”."],
        "coordinating_agencies": ["Không có cơ quan mã “SGTVT”."],
    }
    assert Task.objects.count() == 0


def test_unknown_district_is_refused(cast, notice):
    with pytest.raises(ValidationError) as caught:
        _task(cast.staff, notice, districts=["099", "999"])
    assert caught.value.message_dict == {"districts": ["Không có huyện mã “999”."]}
    assert Task.objects.count() == 0


def test_unreadable_deadline_label_is_refused_and_nothing_is_saved(cast, notice):
    with pytest.raises(ValidationError) as caught:
        _task(cast.staff, notice, due_label="trong thời gian tới")
    assert list(caught.value.message_dict) == ["due_label"]
    assert caught.value.message_dict["due_label"][0].startswith("Không đọc được thời hạn “trong thời gian tới”.")
    assert Task.objects.count() == 0


def test_date_that_contradicts_the_label_is_refused(cast, notice):
    with pytest.raises(ValidationError) as caught:
        _task(cast.staff, notice, due_label="Quý III/2021", due_date=date(2021, 10, 31))
    assert caught.value.message_dict == {
        "due_date": ["Hạn 31/10/2021 không khớp với thời hạn “Quý III/2021” (30/09/2021)."]
    }


def test_date_that_matches_the_label_is_accepted(cast, notice):
    task = _task(cast.staff, notice, due_label="Quý III/2021", due_date=date(2021, 9, 30))
    assert task.due_date == date(2021, 9, 30)


def test_lead_agency_cannot_also_coordinate(cast, notice):
    with pytest.raises(ValidationError) as caught:
        _task(cast.staff, notice, coordinating_agencies=["SNNPTNT"])
    assert caught.value.message_dict == {
        "coordinating_agencies": ["SNNPTNT đã là cơ quan chủ trì, không thể đồng thời là cơ quan phối hợp."]
    }


def test_reference_is_unique_within_the_document(cast, notice):
    _task(cast.staff, notice)
    with pytest.raises(ValidationError) as caught:
        _task(cast.staff, notice)
    assert caught.value.message_dict == {"reference": ["Văn bản 63/TB-UBND đã có nhiệm vụ ở mục 3.(7)."]}
    assert Task.objects.count() == 1


def test_missing_content_lead_and_document_are_all_reported(cast):
    with pytest.raises(ValidationError) as caught:
        services.task_create(by=cast.staff, document=999, content=" ", lead_agency="")
    assert caught.value.message_dict == {
        "document": ["Không có văn bản mã số 999."],
        "content": ["Hãy nhập nội dung nhiệm vụ."],
        "lead_agency": ["Hãy chọn cơ quan chủ trì."],
    }


@pytest.mark.parametrize("who", ["agency_officer", "officer_a", "leader"])
def test_only_province_staff_give_tasks(cast, notice, who):
    with pytest.raises(PermissionDenied):
        _task(getattr(cast, who), notice)
    assert Task.objects.count() == 0


# --- task_update_create --------------------------------------------------------------------------------


def test_updates_change_the_status_and_are_kept_in_order(cast, notice, other_agency):
    # given a task of SNNPTNT
    task = _task(cast.staff, notice)
    # when its agency officer reports twice and province staff once
    services.task_update_create(by=cast.agency_officer, task=task, note="Đã có dự thảo", status=TaskStatus.IN_PROGRESS)
    task.refresh_from_db()
    assert (task.status, task.done_at) == (TaskStatus.IN_PROGRESS, None)
    services.task_update_create(by=cast.agency_officer, task=task, note="Đã trình UBND tỉnh", status=TaskStatus.DONE)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    done_at = task.updates.order_by("-at").first().at
    assert task.done_at == done_at
    services.task_update_create(by=cast.staff, task=task, note="Trả lại để bổ sung", status=TaskStatus.IN_PROGRESS)
    # then the status follows the last update, done_at is cleared, and the updates read in order with their transitions
    task.refresh_from_db()
    assert (task.status, task.done_at) == (TaskStatus.IN_PROGRESS, None)
    assert list(task.updates.order_by("at", "id").values_list("note", "previous_status", "status", "author__username")) == [
        ("Đã có dự thảo", "not_started", "in_progress", "agency_officer"),
        ("Đã trình UBND tỉnh", "in_progress", "done", "agency_officer"),
        ("Trả lại để bổ sung", "done", "in_progress", "staff"),
    ]


def test_update_without_status_keeps_the_current_status(cast, notice):
    task = _task(cast.staff, notice, status=TaskStatus.IN_PROGRESS)
    update = services.task_update_create(by=cast.agency_officer, task=task, note="Đang làm")
    task.refresh_from_db()
    assert (update.previous_status, update.status, task.status) == ("in_progress", "in_progress", "in_progress")


def test_coordinating_agency_may_report(cast, notice, other_agency, agency):
    task = _task(cast.staff, notice, lead_agency="SCT", coordinating_agencies=["SNNPTNT"])
    services.task_update_create(by=cast.agency_officer, task=task, note="Đã phối hợp", status=TaskStatus.IN_PROGRESS)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_update_on_a_task_of_another_agency_is_refused_and_nothing_is_saved(cast, notice, other_agency):
    # given a task SCT leads and nobody else coordinates
    task = _task(cast.staff, notice, lead_agency="SCT", coordinating_agencies=[])
    # when the SNNPTNT officer reports on it / then refused with a message that says why, and nothing changes
    with pytest.raises(PermissionDenied) as caught:
        services.task_update_create(by=cast.agency_officer, task=task, note="Xong", status=TaskStatus.DONE)
    assert str(caught.value) == "Cơ quan của bạn không chủ trì, không phối hợp thực hiện nhiệm vụ này."
    task.refresh_from_db()
    assert (task.status, TaskUpdate.objects.count()) == (TaskStatus.NOT_STARTED, 0)


def test_leader_cannot_report(cast, notice):
    task = _task(cast.staff, notice)
    with pytest.raises(PermissionDenied):
        services.task_update_create(by=cast.leader, task=task, note="Xong", status=TaskStatus.DONE)
    assert TaskUpdate.objects.count() == 0


def test_district_officer_reports_on_tasks_of_their_district_only(cast, notice, units):
    mine = _task(cast.staff, notice, districts=["099"], reference="a")
    theirs = _task(cast.staff, notice, districts=["100"], reference="b")
    services.task_update_create(by=cast.officer_a, task=mine, note="Huyện đã triển khai", status=TaskStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied) as caught:
        services.task_update_create(by=cast.officer_a, task=theirs, note="Nhầm", status=TaskStatus.DONE)
    assert str(caught.value) == "Nhiệm vụ này không liên quan đến huyện của bạn."
    assert list(TaskUpdate.objects.values_list("task__reference", flat=True)) == ["a"]


def test_district_officer_reports_when_their_committee_coordinates(cast, notice, committee_a):
    task = _task(cast.staff, notice, districts=[], coordinating_agencies=["UBND-099"])
    services.task_update_create(by=cast.officer_a, task=task, note="UBND huyện đã chỉ đạo", status=TaskStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.task_update_create(by=cast.officer_b, task=task, note="Nhầm", status=TaskStatus.DONE)
    assert TaskUpdate.objects.count() == 1


def test_empty_note_and_unknown_status_are_refused(cast, notice):
    task = _task(cast.staff, notice)
    with pytest.raises(ValidationError) as caught:
        services.task_update_create(by=cast.agency_officer, task=task, note="  ", status="finished")
    assert caught.value.message_dict == {
        "note": ["Hãy ghi nội dung báo cáo tiến độ."],
        "status": ["Trạng thái không hợp lệ: finished."],
    }
    task.refresh_from_db()
    assert (task.status, TaskUpdate.objects.count()) == (TaskStatus.NOT_STARTED, 0)


def test_backdated_update_before_the_latest_one_is_refused(cast, notice):
    task = _task(cast.staff, notice)
    first = datetime(2021, 9, 1, 9, 0, tzinfo=PROVINCE_TIME_ZONE)
    services.task_update_create(by=cast.staff, task=task, note="Lần 1", status=TaskStatus.IN_PROGRESS, at=first)
    with pytest.raises(ValidationError) as caught:
        services.task_update_create(by=cast.staff, task=task, note="Lần 0", at=first - timedelta(days=1))
    assert caught.value.message_dict == {"at": ["Thời điểm báo cáo không thể sớm hơn báo cáo gần nhất."]}
    with pytest.raises(ValidationError) as caught:
        services.task_update_create(by=cast.staff, task=task, note="Tương lai", at=timezone.now() + timedelta(hours=1))
    assert caught.value.message_dict == {"at": ["Thời điểm báo cáo không thể ở tương lai."]}
    assert TaskUpdate.objects.count() == 1


# --- documents and agencies ----------------------------------------------------------------------------


def test_document_create_and_duplicate(cast):
    document = services.document_create(
        by=cast.staff, number=" 211/QĐ-UBND ", kind=DocumentKind.QUYET_DINH, date=date(2021, 2, 24),
        issuer="UBND tỉnh", title="Phê duyệt Đề án OCOP 2021-2025",
    )
    assert (document.number, document.created_by) == ("211/QĐ-UBND", cast.staff)
    with pytest.raises(ValidationError) as caught:
        services.document_create(
            by=cast.staff, number="211/QĐ-UBND", kind="law", date=date(2021, 2, 24), issuer="", title="",
        )
    assert caught.value.message_dict == {
        "number": ["Văn bản số 211/QĐ-UBND cùng ngày ban hành đã có."],
        "kind": ["Loại văn bản không hợp lệ: law."],
        "issuer": ["Hãy nhập cơ quan ban hành (ví dụ UBND tỉnh)."],
        "title": ["Hãy nhập trích yếu văn bản."],
    }
    assert Document.objects.count() == 1


def test_document_update_changes_fields(cast, notice):
    services.document_update(
        by=cast.staff, document=notice, number="63/TB-UBND", kind=DocumentKind.THONG_BAO, date=date(2021, 8, 16),
        issuer="UBND tỉnh Điện Biên", title=notice.title, summary="Tóm tắt",
    )
    notice.refresh_from_db()
    assert (notice.issuer, notice.summary) == ("UBND tỉnh Điện Biên", "Tóm tắt")


def test_document_create_refuses_wrong_file_type(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as caught:
        services.document_create(
            by=cast.staff, number="1/TB", kind=DocumentKind.THONG_BAO, date=None, issuer="UBND tỉnh", title="T",
            file=upload,
        )
    assert list(caught.value.message_dict) == ["file"]
    assert Document.objects.count() == 0


def test_agency_create_rules(cast, units):
    created = services.agency_create(by=cast.staff, code="STC", name="Sở Tài chính")
    assert (created.code, created.kind, created.district) == ("STC", "department", None)
    with pytest.raises(ValidationError) as caught:
        services.agency_create(by=cast.staff, code="stc", name="", kind="district_committee")
    assert caught.value.message_dict == {
        "code": ["Mã cơ quan “stc” đã có."],
        "name": ["Hãy nhập tên cơ quan."],
        "district": ["UBND cấp huyện phải gắn với một huyện."],
    }
    with pytest.raises(PermissionDenied):
        services.agency_create(by=cast.agency_officer, code="SYT", name="Sở Y tế")
    assert list(Agency.objects.order_by("code").values_list("code", flat=True)) == ["SCT", "SNNPTNT", "STC"]


# --- recommendations -----------------------------------------------------------------------------------


def test_recommendation_response_creates_a_task_linked_to_it(cast, notice, other_agency):
    recommendation = services.recommendation_create(
        by=cast.staff, document=notice, reference="4.(3)", from_districts=["100"],
        content="Sớm tháo gỡ vướng mắc về lưới điện",
    )
    services.recommendation_respond(
        by=cast.staff, recommendation=recommendation, response="Giao Sở Công Thương chủ trì.",
        tasks=[{"content": "Tham mưu cấp điện cho các bản chưa có điện", "lead_agency": "SCT", "districts": ["100"],
                "due_label": "6 tháng cuối năm 2021", "reference": "4.(3)a"}],
    )
    recommendation.refresh_from_db()
    assert (recommendation.response, recommendation.responded_by) == ("Giao Sở Công Thương chủ trì.", cast.staff)
    task = recommendation.created_tasks.get()
    assert (task.document, task.lead_agency.code, task.due_date) == (notice, "SCT", date(2021, 12, 31))


def test_recommendation_response_with_a_bad_task_saves_nothing(cast, notice):
    recommendation = services.recommendation_create(
        by=cast.staff, document=notice, reference="4.(6)", from_agencies=["SNNPTNT"], content="Hỗ trợ 50% máy móc",
    )
    with pytest.raises(ValidationError) as caught:
        services.recommendation_respond(
            by=cast.staff, recommendation=recommendation, response="Giao Liên minh HTX chủ trì.",
            tasks=[{"content": "Đề xuất chính sách", "lead_agency": "LMHTX", "due_label": "sớm"}],
        )
    assert list(caught.value.message_dict) == ["task_lead_agency", "task_due_label"]
    assert caught.value.message_dict["task_lead_agency"] == ["Không có cơ quan mã “LMHTX”."]
    recommendation.refresh_from_db()
    assert (recommendation.response, recommendation.responded_at, Task.objects.count()) == ("", None, 0)


def test_recommendation_needs_a_source_and_a_place(cast):
    with pytest.raises(ValidationError) as caught:
        services.recommendation_create(by=cast.staff, content="Kiến nghị", from_districts=["999"])
    assert caught.value.message_dict == {
        "from_districts": ["Không có huyện mã “999”."],
        "document": ["Hãy chọn văn bản hoặc ghi hội nghị nơi kiến nghị được nêu."],
    }
    assert Recommendation.objects.count() == 0
