"""Browser: a leader asks for the province report and downloads its PDF (rendered in-process: eager Celery)."""

import subprocess

import pytest
from celery import current_app

from reports.models import Report, ReportStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    saved = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = saved


def test_leader_asks_for_the_province_report_and_downloads_it(page, live_server, browser_login, cast, units, eager_celery):
    # given the leader signed in / when asking for the 2021-H1 province report on the reports page
    browser_login(cast.leader)
    page.goto(live_server.url + "/reports/")
    page.select_option("select[name=kind]", "province")
    page.select_option("select[name=period]", "2021-H1")
    page.click("form[action='/reports/new/'] button[type=submit]")
    # then the report's page shows it done, with a PDF link
    page.wait_for_selector("#report-status .badge.done")
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE
    assert page.url == f"{live_server.url}/reports/{report.pk}/"
    # when downloading the PDF
    with page.expect_download() as download_info:
        page.click("text=Tải PDF dự thảo")
    download = download_info.value
    assert download.suggested_filename == "bao-cao-2021-H1-tinh-dien-bien-du-thao.pdf"
    data = open(download.path(), "rb").read()
    # then it is the report, in Vietnamese
    assert data.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in " ".join(text.split())
    assert "6 tháng đầu năm 2021" in " ".join(text.split())
    assert "DỰ THẢO" in text
