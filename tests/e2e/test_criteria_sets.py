"""Browser: province staff author criterion 3 of the 2026-2030 set and publish; a district officer assesses
2026-H1 under it with the single Đạt / Không đạt control of judged indicators and a computed value."""

import pytest

from criteria.models import Assessment, CriteriaSet, IndicatorValue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_author_publish_and_an_officer_assesses_with_one_judged_control(page, live_server, browser_login, cast,
                                                                               units):
    commune = units.communes_a[1]
    # province staff put the commune in group 2, then author criterion 3 and publish
    browser_login(cast.staff)
    page.goto(f"{live_server.url}/criteria/catalogue/2026-2030/groups/?period=2026-H1")
    page.fill("#id_commune", commune.code)
    page.select_option("#id_group", "G2")
    page.fill("#id_decision_number", "45/QĐ-UBND")
    page.fill("#id_decision_date", "01/03/2026")
    page.fill("#id_issuer", "UBND tỉnh Điện Biên")
    page.click("#set-group button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(f"tr[data-commune='{commune.code}'] td.group").inner_text() == "G2"

    page.goto(f"{live_server.url}/criteria/catalogue/2026-2030/draft/?criterion=3")
    page.fill("#id_code", "3.1")
    page.fill("#id_text", "Tỷ lệ hộ tham gia liên kết sản xuất")
    page.select_option("#id_value_kind", "percent")
    page.fill("#id_comparator", ">=")
    page.fill("#id_t_G1", "40")
    page.fill("#id_t_G2", "30")
    page.fill("#id_source_document", "QĐ 99/QĐ-UBND")
    page.fill("#id_source_date", "02/03/2026")
    page.fill("#id_source_quote", "đạt từ 30% trở lên (nhóm 2)")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#draft-table tr[data-code='3.1']").count() == 1
    page.click("#publish-form button[value=publish]")
    page.wait_for_load_state()
    assert "Đã công bố phiên bản 2." in page.locator(".messages").inner_text()
    assert CriteriaSet.objects.get(code="2026-2030").version == 2

    # the officer assesses: a computed value for 3.1, one Đạt / Không đạt control for each judged criterion
    page.click("header form button.link:has-text('Đăng xuất')")
    page.wait_for_load_state()
    browser_login(cast.officer_a)
    page.goto(f"{live_server.url}/criteria/communes/{commune.code}/2026-H1/")
    assert page.locator("#class-label").inner_text() == "Xã nhóm 2"
    assert page.locator("#row-1 .placeholder").inner_text() == "chưa có chỉ tiêu chính thức"
    assert page.locator("#row-1 td.value input, #row-1 td.value select").count() == 0  # no separate value box
    page.select_option("#m-1", "0")
    page.fill("#n-1", "Quy hoạch chưa được phê duyệt")
    page.click("#row-1 button.row-save")
    page.locator("#row-1 .badge.not-met").wait_for()
    page.fill("#v-3-1", "35")
    page.click("#row-3-1 button.row-save")
    page.locator("#row-3-1 .badge.met").wait_for()
    for number in (2, 4, 5, 6, 7, 8, 9, 10):
        page.select_option(f"#m-{number}", "1")
    page.click(".actions button[value=save]")
    page.wait_for_load_state()
    assert page.locator("#assessment-score .value").first.inner_text() == "9/10"
    asked = []  # the page asks for confirmation before submitting (and staff before approving)
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click(".actions button[value=submit]")
    page.wait_for_load_state()
    assert "Đã lưu và gửi tỉnh duyệt." in page.locator(".messages").inner_text()
    assessment = Assessment.objects.get(commune=commune, period="2026-H1")
    assert (assessment.status, assessment.met_count, assessment.set_version) == ("submitted", 9, 2)
    judged = IndicatorValue.objects.get(assessment=assessment, indicator__code="1")
    assert (judged.judged_met, judged.value_bool, judged.is_met, judged.note) == (
        False, False, False, "Quy hoạch chưa được phê duyệt")
