"""Demo data: the seed notice 63/TB-UBND with its eight directions and six recommendations; idempotent."""

import io
from datetime import date

import pytest

from accounts import demo as accounts_demo
from communes import demo as communes_demo
from directives import demo
from directives.models import Document, Recommendation, Task, TaskStatus, TaskUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    out = io.StringIO()
    communes_demo.load(out)
    accounts_demo.load(out)
    demo.load(out)
    return out.getvalue()


def _counts():
    return (Document.objects.count(), Task.objects.count(), Recommendation.objects.count(), TaskUpdate.objects.count())


def test_demo_enters_the_notice_and_the_documents_it_cites(loaded):
    notice = Document.objects.get(number="63/TB-UBND")
    assert (notice.kind, notice.date, notice.issuer) == ("thong_bao", date(2021, 8, 16), "UBND tỉnh")
    assert notice.title.startswith("Kết luận của đồng chí Lê Thành Đô")
    cited = dict(Document.objects.exclude(pk=notice.pk).values_list("number", "date"))
    assert cited == {
        "211/QĐ-UBND": date(2021, 2, 24), "1553/KH-BCĐ": date(2021, 5, 26), "239/BCĐ-KTN": date(2021, 2, 26),
        "09-NQ/TU": date(2021, 7, 29), "2084/BCĐ-KTN": None,
    }


def test_demo_gives_the_eight_directions_of_section_3(loaded):
    tasks = {t.reference: t for t in Task.objects.filter(reference__startswith="3.").prefetch_related("districts")}
    assert sorted(tasks) == [f"3.({n})" for n in range(1, 9)]
    four = tasks["3.(2)"]
    assert sorted(d.code for d in four.districts.all()) == ["097", "098", "099", "101"]
    assert (four.due_label, four.due_date) == ("năm 2021", date(2021, 12, 31))
    ocop_plan = tasks["3.(7)"]
    assert (ocop_plan.lead_agency.code, ocop_plan.due_label, ocop_plan.due_date) == ("SNNPTNT", "Quý III/2021", date(2021, 9, 30))
    assert (tasks["3.(1)"].due_label, tasks["3.(1)"].due_date) == ("Thường xuyên", None)
    # where the notice names no deadline, the implied period is used and the task says so
    assert (tasks["3.(3)"].due_label, tasks["3.(3)"].due_date) == ("6 tháng cuối năm 2021", date(2021, 12, 31))
    assert "Thông báo không nêu thời hạn" in tasks["3.(3)"].note


def test_demo_records_the_six_recommendations_with_answers_and_tasks(loaded):
    recommendations = {r.reference: r for r in Recommendation.objects.prefetch_related("created_tasks__coordinating_agencies")}
    assert sorted(recommendations) == [f"4.({n})" for n in range(1, 7)]
    assert all(r.response and r.responded_at for r in recommendations.values())
    created = {
        ref: sorted((t.lead_agency.code, tuple(a.code for a in t.coordinating_agencies.all())) for t in r.created_tasks.all())
        for ref, r in recommendations.items()
    }
    assert created == {
        "4.(1)": [("SNNPTNT", ())],
        "4.(2)": [],
        "4.(3)": [("SCT", ()), ("SNNPTNT", ("VPDP",))],
        "4.(4)": [("SNNPTNT", ("BTDKT",))],
        "4.(5)": [],
        "4.(6)": [("LMHTX", ("SKHDT", "STC"))],
    }
    assert sorted(recommendations["4.(3)"].from_districts.values_list("code", flat=True)) == ["095", "100", "102"]
    assert list(recommendations["4.(6)"].from_agencies.values_list("code", flat=True)) == ["LMHTX"]


def test_demo_progress_updates_set_the_status(loaded):
    ocop_plan = Task.objects.get(reference="3.(7)")
    assert ocop_plan.status == TaskStatus.DONE
    assert list(ocop_plan.updates.values_list("author__username", "status")) == [("snn", "in_progress"), ("snn", "done")]
    assert Task.objects.get(reference="3.(2)").status == TaskStatus.IN_PROGRESS
    assert TaskUpdate.objects.count() == 4


def test_demo_twice_creates_nothing_new(loaded):
    before = _counts()
    assert before == (6, 13, 6, 4)
    out = io.StringIO()
    demo.load(out)
    assert _counts() == before
    assert out.getvalue() == "Chỉ đạo, điều hành: 0 văn bản, 0 nhiệm vụ, 0 kiến nghị, 0 báo cáo tiến độ mới."
