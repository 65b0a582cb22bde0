"""The demo, as `make run` loads it, shows the seed notice's figures for 2021-H1 as of that period's cut-off —
on the dashboard, in the summary API and in the PDF report — and the three agree for every demo period."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from reports import services as report_services
from reports.builders import report_snapshot
from reports.models import ReportStatus
from tests.reports.conftest import flat, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def kpi(html: str, name: str) -> str:
    return html.split(f'id="kpi-{name}"><div class="value">')[1].split("<")[0]


def test_the_seed_figures_for_2021_h1_everywhere(client, api):
    # given the demo of `make run`
    call_command("load_demo", stdout=io.StringIO())
    leader = User.objects.get(username="lanhdao")
    client.force_login(leader)
    # the dashboard for 2021-H1 is as of its closing date and shows the notice's figures
    html = client.get("/dashboard/", {"period": "2021-H1"}).content.decode()
    assert "Số liệu tính đến hết ngày 29/08/2021." in html
    assert (kpi(html, "recognised"), kpi(html, "avg"), kpi(html, "met-all"), kpi(html, "below-5"), kpi(html, "assessed")) == (
        "38", "11,9", "17", "0", "115/115",
    )
    assert '<div class="value" id="ocop-certified">35</div>' in html
    # the summary API says the same, and the day it is as of
    body = api(leader).get("/api/v1/summary/", {"period": "2021-H1"}).json()
    assert (body["as_of"], body["communes"], body["avg_criteria"], body["met_all_19"], body["below_5"]) == (
        "2021-08-29", 115, 11.9, 17, 0,
    )
    assert body["by_level"]["standard"] + body["by_level"]["basic"] == 38
    assert api(leader).get("/api/v1/ocop/summary/", {"on": body["as_of"]}).json()["products"] == 35
    # so does the province report, rendered by the worker path
    report = report_services.report_request(user=leader, kind="province", period="2021-H1")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    text = flat(pdf_text(report.file.read()))
    assert "(Số liệu tính đến ngày 29/08/2021)" in text
    assert "có 38 xã được công nhận xã đạt chuẩn nông thôn mới và cơ bản đạt chuẩn nông thôn mới" in text
    assert "số tiêu chí bình quân đạt 11,9 tiêu chí/xã" in text
    assert "không còn xã dưới 05 tiêu chí" in text
    assert "có 35 sản phẩm OCOP còn hiệu lực chứng nhận" in text
    # and for every period of the demo the dashboard's selector, the API and the report agree
    for period in ("2020-H2", "2021-H1", "2021-H2"):
        api_body = api(leader).get("/api/v1/summary/", {"period": period}).json()
        snapshot = report_snapshot(kind="province", period=period, province=report.province)
        ntm = snapshot["ntm"]
        assert api_body["as_of"] == snapshot["cut_off"], period
        assert (api_body["communes"], api_body["met_all_19"], api_body["below_5"]) == (
            ntm["communes"], ntm["met_all"], ntm["below_5"],
        ), period
        assert api_body["avg_criteria"] == (float(ntm["avg_criteria"]) if ntm["avg_criteria"] else None), period
        page = client.get("/dashboard/", {"period": period}).content.decode()
        assert kpi(page, "assessed") == f"{ntm['communes']}/{ntm['communes_total']}", period
