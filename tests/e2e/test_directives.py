"""Browser: province staff give a task from a document; the agency officer reports progress on it."""

import re

import pytest
from playwright.sync_api import expect

from directives.models import Document, Task, TaskStatus, TaskUpdate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_create_a_task_and_agency_officer_reports_progress(page, live_server, browser_login, cast, units, other_agency):
    notice = Document.objects.create(
        number="63/TB-UBND", kind="thong_bao", issuer="UBND tỉnh", title="Kết luận Hội nghị 6 tháng đầu năm 2021"
    )
    # given province staff on the task form of the notice
    browser_login(cast.staff)
    page.goto(f"{live_server.url}/directives/tasks/new/?document={notice.pk}")
    # when they give a task to SNNPTNT with the deadline as the notice writes it
    page.fill("#id_reference", "3.(7)")
    page.fill("#id_content", "Tham mưu UBND tỉnh ban hành Kế hoạch phát triển sản phẩm OCOP")
    page.select_option("#id_lead_agency", "SNNPTNT")
    page.select_option("#id_coordinating_agencies", ["SCT"])
    page.select_option("#id_districts", ["099", "100"])
    page.fill("#id_due_label", "Quý III/2021")
    page.click("#task-form button[type=submit]")
    page.wait_for_url(f"**/directives/documents/{notice.pk}/")
    # then the document page lists it with the quarter's last day, overdue (the quarter is long past)
    task = Task.objects.get()
    row = page.locator(f"#task-{task.pk}")
    assert "30/09/2021" in row.inner_text()
    assert "Quý III/2021" in row.inner_text()
    assert row.get_attribute("class") == "overdue"

    # given the SNNPTNT officer on "my agency's tasks"
    page.context.clear_cookies()
    browser_login(cast.agency_officer)
    page.goto(f"{live_server.url}/directives/mine/")
    row = page.locator(f"#task-{task.pk}")
    # when they report the task done from its row (HTMX replaces the row in place)
    row.locator("select[name=status]").select_option("done")
    row.locator("input[name=note]").fill("Đã trình UBND tỉnh dự thảo Kế hoạch")
    row.locator("button[type=submit]").click()
    page.locator(f"#task-{task.pk} .saved").wait_for()
    # then the row shows the new status and no longer counts as overdue (once htmx has settled the swap)
    expect(page.locator(f"#task-{task.pk} .badge.done")).to_have_text("Hoàn thành")
    expect(page.locator(f"#task-{task.pk}")).not_to_have_class(re.compile(r"\boverdue\b"))
    task.refresh_from_db()
    assert (task.status, TaskUpdate.objects.get().note) == (TaskStatus.DONE, "Đã trình UBND tỉnh dự thảo Kế hoạch")
    # and the task page lists the report
    page.goto(f"{live_server.url}/directives/tasks/{task.pk}/")
    assert "Đã trình UBND tỉnh dự thảo Kế hoạch" in page.locator("ol.updates").inner_text()
