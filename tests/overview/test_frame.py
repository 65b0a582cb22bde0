"""The frame (criteria.frame): one rule for the period's set, the cut-off date and what is counted as of it,
used the same way by the entry page, the assessment API, the dashboard, the summary API and the report."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from communes.models import Province, Recognition
from communes.periods import parse_period
from communes.services import province_set_closing_delay
from criteria.frame import SetBasis, build_frame, closing_date
from criteria.models import Assessment, CriteriaSet, PeriodSet, PeriodSetChange
from criteria.services.assessments import assessment_values_save
from criteria.services.periods import period_set_choose, period_set_clear
from directives.models import Agency, AgencyKind, Document, DocumentKind, Task, TaskStatus
from directives.services import task_update_create
from ocop import services as ocop_services
from ocop.models import ProductGroup
from overview import selectors
from reports.builders import report_snapshot
from tests.criteria.helpers import approve, submit

from .conftest import DAY, TODAY, frame, make_criteria_set, moment

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------- cut-off


def test_the_cut_off_is_today_until_the_period_closes_then_its_closing_date(units):
    # 2021-H1 closes on 30/06/2021 + 60 days = 29/08/2021
    assert closing_date(parse_period("2021-H1"), units.province) == DAY(2021, 8, 29)
    during = frame("2021-H1", today=DAY(2021, 7, 20))
    assert (during.cut_off, during.is_closed, during.cut_off_is_default) == (DAY(2021, 7, 20), False, True)
    on_the_day = frame("2021-H1", today=DAY(2021, 8, 29))
    assert on_the_day.cut_off == DAY(2021, 8, 29)
    after = frame("2021-H1", today=TODAY)
    assert (after.cut_off, after.is_closed) == (DAY(2021, 8, 29), True)
    # any reader may ask for another day, never one after today
    meeting = frame("2021-H1", today=TODAY, cut_off=DAY(2021, 8, 16))
    assert (meeting.cut_off, meeting.cut_off_is_default) == (DAY(2021, 8, 16), False)
    with pytest.raises(ValidationError) as error:
        frame("2021-H1", today=DAY(2021, 8, 1), cut_off=DAY(2021, 8, 2))
    assert error.value.message_dict == {"on": ["Ngày chốt số liệu không được sau hôm nay (01/08/2021)."]}


def test_province_staff_set_the_closing_delay(units, cast):
    province_set_closing_delay(by=cast.staff, province=units.province, days=45)
    assert frame("2021-H1").cut_off == DAY(2021, 8, 14)
    with pytest.raises(ValidationError):
        province_set_closing_delay(by=cast.staff, province=units.province, days=400)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        province_set_closing_delay(by=cast.officer_a, province=units.province, days=10)
    assert Province.objects.get(pk=units.province.pk).closing_delay_days == 45


# --------------------------------------------------------------------------------------------------- sets


def test_staff_choose_another_set_for_a_transition_period_with_history(units, cast):
    old, new = CriteriaSet.objects.get(code="2016-2020"), CriteriaSet.objects.get(code="2021-2025")
    assert frame("2022-H1").criteria_set == new
    period_set_choose(period="2022-H1", criteria_set=old, note="QĐ 123/QĐ-UBND: năm chuyển tiếp", by=cast.staff)
    chosen = frame("2022-H1")
    assert (chosen.criteria_set, chosen.set_basis, chosen.period_criteria_set) == (old, SetBasis.OVERRIDE, old)
    # refusals change nothing
    with pytest.raises(ValidationError) as error:
        period_set_choose(period="2022-H1", criteria_set=new, note="", by=cast.staff)
    assert list(error.value.message_dict) == ["note"]
    with pytest.raises(ValidationError):
        period_set_choose(period="2022-H1", criteria_set=CriteriaSet.objects.get(code="2021-2025-advanced"),
                          note="x", by=cast.staff)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        period_set_choose(period="2022-H1", criteria_set=new, note="x", by=cast.officer_a)
    assert PeriodSet.objects.get(period="2022-H1").criteria_set == old
    period_set_clear(period="2022-H1", note="Hết chuyển tiếp", by=cast.staff)
    assert frame("2022-H1").set_basis == SetBasis.IN_FORCE
    assert list(PeriodSetChange.objects.order_by("at", "id").values_list("old_set", "new_set", "user__username")) == [
        ("", "2016-2020", "staff"), ("2016-2020", "", "staff"),
    ]


def test_the_period_sets_page_shows_and_takes_the_choice(login, cast, units):
    client = login(cast.staff)
    html = client.get("/criteria/periods/").content.decode()
    assert '<tr data-period="2022-H1"><td>6 tháng đầu năm 2022</td><td>2021-2025</td><td><strong>2021-2025</strong>' in html
    response = client.post("/criteria/periods/", {"period": "2022-H1", "criteria_set": "2016-2020", "note": "QĐ 9/QĐ-UBND"})
    assert response.status_code == 302
    html = client.get("/criteria/periods/").content.decode()
    assert 'data-period="2022-H1" class="chosen"' in html and "QĐ 9/QĐ-UBND" in html
    # a bad form is a 400 with the message; an officer may look but not choose
    assert client.post("/criteria/periods/", {"period": "2022-H1", "criteria_set": "2016-2020", "note": ""}).status_code == 400
    officer = login(cast.officer_a)
    assert officer.get("/criteria/periods/").status_code == 200
    assert officer.post("/criteria/periods/", {"period": "2022-H2", "criteria_set": "2016-2020", "note": "x"}).status_code == 403
    assert not PeriodSet.objects.filter(period="2022-H2").exists()


def test_get_and_put_of_one_url_reach_the_same_assessment(api, cast, units):
    commune = units.communes_a[1]
    url = f"/api/v1/communes/{commune.code}/assessments/2022-H1/"
    client = api(cast.officer_a)
    # PUT without criteria_set creates it under the period's set (2021-2025 in force on 30/06/2022)
    created = client.put(url, {"values": [{"indicator": "10", "value": 40, "met": True}]}, format="json").json()
    assert (created["criteria_set"], created["version"]) == ("2021-2025", 1)
    assert client.get(url).json()["criteria_set"] == "2021-2025"
    # when province staff choose another set for the period, both reach the same (new) one
    period_set_choose(period="2022-H1", criteria_set=CriteriaSet.objects.get(code="2016-2020"), note="x", by=cast.staff)
    assert client.get(url).status_code == 404  # nothing entered under 2016-2020 yet
    body = client.put(url, {"values": [{"indicator": "10", "value": 35}]}, format="json").json()
    assert body["criteria_set"] == "2016-2020"
    assert client.get(url).json() == body
    # the other set's assessment stays readable when asked for explicitly
    assert client.get(url, {"criteria_set": "2021-2025"}).json()["version"] == 1
    assert Assessment.objects.filter(commune=commune, period="2022-H1").count() == 2


def test_the_entry_page_says_when_a_set_is_not_the_periods(login, cast, units):
    commune = units.communes_a[1]
    client = login(cast.officer_a)
    html = client.get(f"/criteria/communes/{commune.code}/2021-H1/").content.decode()
    assert "2016-2020" in html and "bộ tiêu chí được chọn riêng" not in html
    html = client.get(f"/criteria/communes/{commune.code}/2021-H1/", {"set": "2021-2025"}).content.decode()
    assert "Đang xem theo bộ 2021-2025: bộ tiêu chí được chọn riêng, khác bộ áp dụng cho kỳ (kỳ này dùng bộ 2016-2020)." in html


# --------------------------------------------------------------------------------------------------- as of


def _entries(criteria_set, met: int):
    """The first ``met`` criteria met: their N.1 yes/no, and every other indicator met."""
    extras = [{"indicator": "2.2", "value": 80}, {"indicator": "5.2", "value": 3}, {"indicator": "11.2", "value": 5},
              {"indicator": "6.2", "value": 60, "met": True}]
    return extras + [
        {"indicator": f"{number}.1", "value": number <= met, "met": number <= met}
        for number in range(1, criteria_set.criteria.count() + 1)
    ]


def test_a_reopen_and_change_after_the_cut_off_does_not_alter_that_cut_offs_figures(units, cast, criteria_set):
    commune = units.communes_a[1]
    # given an assessment approved in July 2021 with 12 criteria met
    a = assessment_values_save(commune=commune, period="2021-H1", criteria_set=criteria_set, by=cast.officer_a,
                               entries=_entries(criteria_set, 12), expected_version=None, at=moment(DAY(2021, 7, 1)))
    from criteria.services.assessments import assessment_approve, assessment_reopen, assessment_submit

    a = assessment_submit(assessment=a, by=cast.officer_a, expected_version=a.version, at=moment(DAY(2021, 7, 2)))
    a = assessment_approve(assessment=a, by=cast.staff, expected_version=a.version, at=moment(DAY(2021, 7, 15)))
    as_of_closing = frame("2021-H1", province=units.province)
    assert selectors.province_summary(frame=as_of_closing).by_score["12"] == 1
    # when it is reopened today and approved again with 15
    a = assessment_reopen(assessment=a, by=cast.staff, expected_version=a.version)
    a = assessment_values_save(commune=commune, period="2021-H1", criteria_set=criteria_set, by=cast.officer_a,
                               entries=_entries(criteria_set, 15), expected_version=a.version)
    approve(assessment=submit(assessment=a, by=cast.officer_a), by=cast.staff)
    # then the period's figures as of its closing date are unchanged, and today's show the new result
    closing = selectors.province_summary(frame=frame("2021-H1", province=units.province))
    assert (closing.by_score["12"], closing.by_score["15"], closing.later_approvals) == (1, 0, 0)
    today = timezone.localdate()
    now = selectors.province_summary(frame=frame("2021-H1", province=units.province, today=today, cut_off=today))
    assert (now.by_score["12"], now.by_score["15"]) == (0, 1)
    # between the reopen and the new approval nothing was counted: a cut-off in July 2021 before approval
    before = selectors.province_summary(frame=frame("2021-H1", province=units.province, cut_off=DAY(2021, 7, 10)))
    assert (before.communes, before.later_approvals) == (0, 1)


def test_approvals_after_the_cut_off_are_counted_whether_or_not_the_incremental_figures_are_read(
    units, cast, criteria_set, django_assert_num_queries
):
    from criteria.services.assessments import assessment_approve, assessment_submit
    from overview.aggregates import figures_for

    def approved(commune, met, day):
        a = assessment_values_save(commune=commune, period="2021-H1", criteria_set=criteria_set, by=cast.staff,
                                   entries=_entries(criteria_set, met), expected_version=None, at=moment(day))
        a = assessment_submit(assessment=a, by=cast.staff, expected_version=a.version, at=moment(day))
        return assessment_approve(assessment=a, by=cast.staff, expected_version=a.version, at=moment(day))

    # given one xã approved in July 2021, before the period's closing date (29/08/2021)
    approved(units.communes_a[1], 12, DAY(2021, 7, 15))
    closing = frame("2021-H1", province=units.province)
    # then as of the closing date the incremental figures stand (nothing changed since): no approval came
    # later, and the summary does not ask (one query fewer than below)
    assert figures_for(closing) is not None and closing.approvals_after_cut_off() == 0
    with django_assert_num_queries(14):
        assert selectors.province_summary(frame=closing).later_approvals == 0
    # when another xã is first approved after the closing date
    approved(units.communes_b[0], 15, DAY(2021, 9, 10))
    # then the figures as of the closing date are read from the records, and that approval is counted: the 14,
    # then the scores and the attainment grouped from the records and the approvals after the cut-off
    assert figures_for(closing) is None and closing.approvals_after_cut_off() == 1
    with django_assert_num_queries(17):
        summary = selectors.province_summary(frame=closing)
    assert (summary.communes, summary.by_score["12"], summary.later_approvals) == (1, 1, 1)


def test_levels_come_from_decisions_dated_by_the_cut_off(scenario):
    # 03295 was recognised "basic" on 29/07/2021: counted as of 29/08/2021, not as of 28/07/2021
    assert selectors.province_summary(frame=frame("2021-H1")).by_level["basic"] == 1
    assert selectors.province_summary(frame=frame("2021-H1", cut_off=DAY(2021, 7, 28))).by_level["basic"] == 0


@pytest.fixture
def seed_world(units, cast, agency):
    """A notice of 16/08/2021 with two tasks finished after the 2021-H1 cut-off (29/08/2021), and a product
    whose certificate expired after it (rated 01/09/2018 → expires 01/09/2021)."""
    notice = Document.objects.create(number="63/TB-UBND", kind=DocumentKind.THONG_BAO, date=DAY(2021, 8, 16),
                                     issuer="UBND tỉnh", title="Kết luận")
    on_time = Task.objects.create(document=notice, lead_agency=agency, content="Hạn sau ngày chốt",
                                  due_date=DAY(2021, 9, 30), due_label="Quý III/2021")
    late = Task.objects.create(document=notice, lead_agency=agency, content="Hạn trước ngày chốt", due_date=DAY(2021, 8, 20))
    Agency.objects.create(code="UBND-099", name="UBND huyện", kind=AgencyKind.DISTRICT_COMMITTEE, district=units.district_a)
    for task, day in ((on_time, DAY(2021, 10, 10)), (late, DAY(2021, 9, 5))):
        task_update_create(by=cast.staff, task=task, note="Hoàn thành", status=TaskStatus.DONE, at=moment(day))
    group = ProductGroup.objects.get(regime="148", code="I.2.a")
    producer = ocop_services.producer_create(by=cast.staff, name="HTX Thử", kind="htx", commune=units.communes_a[1])
    product = ocop_services.product_create(by=cast.staff, name="Gạo thử", group=group, producer=producer,
                                           commune=units.communes_a[1])
    ocop_services.rating_record(product=product, by=cast.staff, score=Decimal("60"), level="province",
                                decision_number="1/QĐ-UBND", decision_date=DAY(2018, 9, 1))
    return {"on_time": on_time, "late": late, "product": product}


def dashboard_blocks(response) -> dict:
    """The dashboard's OCOP and task blocks by their own template, with the context they were built from
    (the blocks are cached as rendered HTML, issue 17; a first request builds them)."""
    return {b["source"]: b["context"]["built"] for b in response.context["blocks"] if b.get("source")}


def test_the_report_shows_tasks_and_certificates_as_they_stood_on_its_cut_off(seed_world, units, login, cast):
    # the 2021-H1 report (as of 29/08/2021): both tasks open, the late one overdue; the certificate valid
    snapshot = report_snapshot(kind="province", period="2021-H1", province=units.province)
    assert snapshot["cut_off"] == "2021-08-29"
    tasks = snapshot["tasks"]
    assert (tasks["total"], tasks["done"], tasks["overdue"]) == (2, 0, 1)
    assert [row["content"] for row in tasks["overdue_tasks"]] == ["Hạn trước ngày chốt"]
    assert [(row["content"], row["status"]) for row in tasks["open_tasks"]] == [("Hạn sau ngày chốt", "not_started")]
    assert (snapshot["ocop"]["products"], snapshot["ocop"]["by_stars"][0]) == (1, {"stars": 3, "products": 1})
    # today's dashboard: both done, nothing overdue, the certificate expired
    dashboard = login(cast.leader).get("/dashboard/", {"period": "2021-H1", "on": timezone.localdate().strftime("%d/%m/%Y")})
    blocks = dashboard_blocks(dashboard)
    summary = blocks["directives/_dashboard_block.html"]["summary"]
    assert (summary.total, summary.done, summary.overdue) == (2, 2, 0)
    assert blocks["ocop/_dashboard_block.html"]["summary"].products == 0
    # the 2021-H1 dashboard by default agrees with the report
    default = login(cast.leader).get("/dashboard/", {"period": "2021-H1"})
    blocks = dashboard_blocks(default)
    assert (blocks["directives/_dashboard_block.html"]["summary"].overdue, blocks["ocop/_dashboard_block.html"]["summary"].products) == (1, 1)
    assert "Số liệu tính đến hết ngày 29/08/2021." in default.content.decode()


def test_the_api_reads_tasks_and_products_as_of_a_day(seed_world, api, cast):
    client = api(cast.leader)
    then = client.get("/api/v1/tasks/", {"on": "2021-08-29"}).json()
    assert then["as_of"] == "2021-08-29"
    assert {row["content"]: (row["status"], row["overdue"]) for row in then["results"]} == {
        "Hạn sau ngày chốt": ("not_started", False), "Hạn trước ngày chốt": ("not_started", True),
    }
    now = client.get("/api/v1/tasks/").json()
    assert {row["status"] for row in now["results"]} == {"done"}
    detail = client.get(f"/api/v1/tasks/{seed_world['late'].pk}/", {"on": "2021-08-29"}).json()
    assert (detail["status"], detail["overdue"], detail["updates"], detail["as_of"]) == ("not_started", True, [], "2021-08-29")
    products = client.get("/api/v1/ocop/products/", {"on": "2021-08-29"}).json()
    assert [(p["stars"], p["certificate_expires"]) for p in products["results"]] == [(3, "2021-09-01")]
    assert client.get("/api/v1/ocop/summary/", {"on": "2021-08-29"}).json()["products"] == 1
    assert client.get("/api/v1/ocop/summary/").json()["products"] == 0
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert client.get("/api/v1/ocop/summary/", {"on": future}).status_code == 400
    assert client.get("/api/v1/tasks/", {"on": "29/08/2021x"}).status_code == 400


def test_a_period_whose_set_was_overridden_is_counted_under_the_chosen_set(scenario, cast):
    other = make_criteria_set("other-set", count=10)
    from .conftest import make_assessment

    make_assessment(scenario.rang_dong, "2021-H1", criteria_set=other, met=7)
    assert selectors.province_summary(frame=frame("2021-H1")).criteria_set == "test-set"
    period_set_choose(period="2021-H1", criteria_set=other, note="QĐ chuyển tiếp", by=cast.staff)
    summary = selectors.province_summary(frame=frame("2021-H1"))
    assert (summary.criteria_set, summary.criteria_count, summary.communes, summary.by_score["7"]) == ("other-set", 10, 1, 1)
    assert summary.set_basis == SetBasis.OVERRIDE


def test_a_recognition_after_the_cut_off_is_not_a_level_then(scenario):
    Recognition.objects.create(commune=scenario.muong_nha, level="standard", decision_number="5/QĐ", decision_date=TODAY)
    assert selectors.province_summary(frame=frame("2021-H1")).by_level["standard"] == 1
    assert selectors.province_summary(frame=frame("2021-H1", cut_off=TODAY)).by_level["standard"] == 2


def test_explicit_bad_inputs_on_the_dashboard_say_so(login, cast, scenario):
    html = login(cast.leader).get("/dashboard/", {"period": "2021-H1", "on": "31/12/2999"}).content.decode()
    assert "Ngày chốt số liệu không được sau hôm nay" in html
    assert "Số liệu tính đến hết ngày 29/08/2021." in html
    assert build_frame(period="2021-H1", today=TODAY).cut_off == DAY(2021, 8, 29)
