"""Writes never skip the stale check: every path that changes an assessment, an OCOP product or a task carries
the version it was based on, and a stale or missing one is refused with a clear message, nothing changed."""

from decimal import Decimal

import pytest

from criteria.models import Assessment, AssessmentStatus, CriteriaSet, CriterionResult, IndicatorValue
from directives.models import Document, DocumentKind, Task, TaskStatus, TaskUpdate
from ocop import services as ocop_services
from ocop.models import Product, ProductGroup
from tests.criteria.helpers import all_met_entries, save, submit

pytestmark = pytest.mark.django_db
STALE = "Đánh giá đã được người khác thay đổi (phiên bản hiện tại: 2)"


@pytest.fixture
def two_saves(units, cast):
    """District A's Rạng Đông saved twice (version 2): a page still showing version 1 is stale."""
    set_2016 = CriteriaSet.objects.get(code="2016-2020")
    commune = units.communes_a[1]
    save(commune, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    save(commune, set_2016, [{"indicator": "10", "value": 41}], cast.officer_a, version=1)
    return commune


def test_a_row_saved_from_a_stale_page_is_refused(login, cast, two_saves):
    url = f"/criteria/communes/{two_saves.code}/2021-H1/rows/10/"
    response = login(cast.officer_a).post(url, {"set": "2016-2020", "v-10": "50", "version": "1"}, HTTP_HX_REQUEST="true")
    assert STALE in response.content.decode()
    response = login(cast.officer_a).post(url, {"set": "2016-2020", "v-10": "50"}, HTTP_HX_REQUEST="true")
    assert "Cần gửi “version” hiện tại khi sửa một đánh giá đã có." in response.content.decode()
    assert IndicatorValue.objects.get().value_number == Decimal(41)


@pytest.mark.parametrize("version, message", [
    ("1", STALE),
    ("", "Cần gửi “version” hiện tại của đánh giá (số phiên bản bạn đang xem)."),
])
def test_a_workflow_step_from_a_stale_page_is_refused(login, cast, units, version, message):
    set_2016 = CriteriaSet.objects.get(code="2016-2020")
    commune = units.communes_a[1]
    assessment = save(commune, set_2016, all_met_entries(set_2016), cast.officer_a)
    save(commune, set_2016, [{"indicator": "10", "value": 41}], cast.officer_a, version=1)
    client = login(cast.officer_a)
    response = client.post(f"/criteria/communes/{commune.code}/2021-H1/workflow/",
                           {"action": "submit", "version": version, "set": "2016-2020"}, follow=True)
    assert message in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.DRAFT


def test_an_appraisal_from_a_stale_page_is_refused(login, cast, units):
    set_2016 = CriteriaSet.objects.get(code="2016-2020")
    commune = units.communes_a[1]
    entries = all_met_entries(set_2016, skip=("10",)) + [{"indicator": "10", "value": 20}]
    assessment = submit(assessment=save(commune, set_2016, entries, cast.officer_a), by=cast.officer_a)
    response = login(cast.staff).post(
        f"/criteria/communes/{commune.code}/2021-H1/criteria/10/appraise/",
        {"basically_met": "on", "note": "gần đạt", "version": assessment.version - 1, "set": "2016-2020"}, follow=True,
    )
    assert "Đánh giá đã được người khác thay đổi" in response.content.decode()
    assert CriterionResult.objects.get(assessment=assessment, number=10).status == "not_met"


def test_a_stale_or_missing_version_on_an_api_action_is_409_or_400(api, cast, units):
    set_2016 = CriteriaSet.objects.get(code="2016-2020")
    commune = units.communes_a[1]
    save(commune, set_2016, all_met_entries(set_2016), cast.officer_a)
    url = f"/api/v1/communes/{commune.code}/assessments/2021-H1/submit/"
    assert api(cast.officer_a).post(url, {"version": 7}, format="json").status_code == 409
    assert api(cast.officer_a).post(url, {}, format="json").status_code == 400
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT


@pytest.fixture
def product(units, cast):
    group = ProductGroup.objects.get(regime="148", code="I.2.a")
    producer = ocop_services.producer_create(by=cast.staff, name="HTX A", kind="htx", commune=units.communes_a[1])
    return ocop_services.product_create(by=cast.staff, name="Gạo", group=group, producer=producer, commune=units.communes_a[1])


def test_a_product_edited_from_a_stale_page_is_refused(login, cast, product):
    client = login(cast.staff)
    form = {"name": "Gạo nếp", "group": product.group_id, "producer": product.producer_id, "commune": "03260"}
    assert client.post(f"/ocop/products/{product.pk}/edit/", {**form, "version": 1}).status_code == 302
    # a second tab still holding version 1
    response = client.post(f"/ocop/products/{product.pk}/edit/", {**form, "name": "Gạo tẻ", "version": 1})
    assert response.status_code == 400
    assert "Sản phẩm đã được người khác sửa (phiên bản hiện tại: 2)" in response.content.decode()
    assert client.post(f"/ocop/products/{product.pk}/edit/", {**form, "name": "Gạo tẻ"}).status_code == 400
    assert Product.objects.get(pk=product.pk).name == "Gạo nếp"


@pytest.fixture
def task(agency, units):
    notice = Document.objects.create(number="63/TB-UBND", kind=DocumentKind.THONG_BAO, issuer="UBND tỉnh", title="x")
    return Task.objects.create(document=notice, lead_agency=agency, content="Tham mưu kế hoạch")


def test_a_task_report_from_a_stale_page_or_api_is_refused(login, api, cast, task):
    client = login(cast.agency_officer)
    url = f"/directives/tasks/{task.pk}/updates/"
    assert client.post(url, {"status": "in_progress", "note": "Đã có dự thảo", "version": 1}).status_code == 302
    response = client.post(url, {"status": "done", "note": "Xong", "version": 1})
    assert response.status_code == 400
    assert "Nhiệm vụ vừa được người khác báo cáo (phiên bản hiện tại: 2)" in response.content.decode()
    assert client.post(url, {"status": "done", "note": "Xong"}).status_code == 400  # the page always sends it
    response = api(cast.agency_officer).post(f"/api/v1/tasks/{task.pk}/updates/", {"note": "Xong", "status": "done", "version": 1}, format="json")
    assert response.status_code == 409
    assert (Task.objects.get(pk=task.pk).status, TaskUpdate.objects.count()) == (TaskStatus.IN_PROGRESS, 1)
