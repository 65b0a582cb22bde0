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


def test_staff_issue_the_report_and_the_leader_downloads_the_final(page, live_server, browser_login, cast, units,
                                                                    eager_celery):
    import hashlib

    from django.utils import timezone

    from reports import services

    # given a done draft of the province report
    report = services.report_request(user=cast.leader, kind="province", period="2021-H1")
    # when province staff fill in the issue form on the report's page
    browser_login(cast.staff)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.fill("#id_number", "9")
    page.fill("#id_issued_on", timezone.localdate().isoformat())
    page.select_option("#id_signer_capacity", "vice_chair")
    page.fill("#id_signer_name", "Lê Thành Đô")
    page.fill("#id_recipients", "Bộ Nông nghiệp và Môi trường (b/c);\nLưu: VT.")
    page.click("form.issue-form button[type=submit]")
    page.wait_for_selector(".badge.final")
    report.refresh_from_db()
    assert (report.number, report.status) == ("09/BC-UBND", ReportStatus.DONE)
    # then the leader's list says it is final and the final PDF is the one whose hash is shown
    page.context.clear_cookies()
    browser_login(cast.leader)
    page.goto(live_server.url + "/reports/")
    assert page.inner_text(f"tr:has(a[href='/reports/{report.pk}/']) .version") == "Chính thức số 09/BC-UBND"
    with page.expect_download() as download_info:
        page.click(f"a[href='/reports/{report.pk}/pdf/']")
    data = open(download_info.value.path(), "rb").read()
    assert hashlib.sha256(data).hexdigest() == report.sha256
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode().split())
    assert "Số: 09/BC-UBND" in text and "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "DỰ THẢO" not in text
