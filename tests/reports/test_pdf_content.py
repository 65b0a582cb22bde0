"""The PDF itself: Nghị định 30 layout, the fixture province's figures, embedded Liberation fonts, tagging and
metadata, the draft watermark. (Issuing and the final document: test_final.py.)"""

import copy
import datetime
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from communes.models import Recognition
from reports import rendering, services
from reports.models import Report, ReportKind, ReportStatus

from .conftest import PERIOD, flat, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def _request(user, **kwargs):
    kwargs.setdefault("kind", ReportKind.PROVINCE)
    kwargs.setdefault("period", PERIOD)
    report = services.report_request(user=user, **kwargs)
    report.refresh_from_db()
    return report


def test_province_report_reads_like_an_administrative_document(report_province, cast):
    # given the fixture province / when the leader asks for the 2021-H1 province report (rendered in-process)
    report = _request(cast.leader)
    # then it is done, and its text has, in the decree's order: issuer in full, national title, number
    # (blank: a draft), place and date (day and month blank), kind and summary, body, closing, signature,
    # recipients
    assert report.status == ReportStatus.DONE
    data = report.file.read()
    today = timezone.localdate()
    # the heading's two columns (layout mode keeps each row of the heading on one line)
    heading = [" | ".join(part.strip() for part in line.strip().split("  ") if part.strip())
               for line in pdf_text(data, layout=True).splitlines()[:8] if line.strip()]
    assert heading[:4] == [
        "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỈNH ĐIỆN BIÊN | Độc lập - Tự do - Hạnh phúc",
        f"Số: | /BC-UBND | Điện Biên, ngày | tháng | năm {today.year}",
        "DỰ THẢO",
    ]
    text = flat(pdf_text(data))
    parts = [
        "BÁO CÁO Kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới và Đề án OCOP 6 tháng đầu năm 2021",
        "(Số liệu tính đến ngày 29/08/2021)",  # the period closed: as of its closing date
        "I. KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH MTQG",
        "Trên đây là báo cáo kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới và Đề án OCOP 6 tháng "
        "đầu năm 2021 của Ủy ban nhân dân tỉnh Điện Biên./.",
        "Nơi nhận:",
        "- Bộ Nông nghiệp và PTNT (b/c);",
        "- Lưu: VT, KTN.",
    ]
    positions = [text.find(part) for part in parts]
    assert -1 not in positions, [part for part, at in zip(parts, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "UBND TỈNH ĐIỆN BIÊN" not in text  # the issuer is never abbreviated


def test_province_report_holds_the_fixture_figures(report_province, cast):
    report = _request(cast.leader)
    data = report.file.read()
    text = flat(pdf_text(data))
    # NTM: 7 xã counted (the submitted assessment and the township are not); 83/7 = 11,86 → 11,9
    assert "số tiêu chí bình quân đạt 11,9 tiêu chí/xã (tính trên 7/7 xã" in text
    assert "Có 01 xã đạt đủ 19 tiêu chí; còn 01 xã dưới 05 tiêu chí." in text
    assert "có 02 xã được công nhận xã đạt chuẩn nông thôn mới và cơ bản đạt chuẩn nông thôn mới" in text
    # OCOP: four certified products, one expiring within 90 days
    assert "có 04 sản phẩm OCOP còn hiệu lực chứng nhận" in text
    assert "Sản phẩm có giấy chứng nhận hết hạn trong 90 ngày tới: 1" in text
    assert "Chè Shan tuyết thử 3" in text
    # Tasks: 3 in all, 1 done (33,3 %), 1 in progress, 1 not started and overdue
    assert "tổng số 3 nhiệm vụ; đã hoàn thành 1 nhiệm vụ (33,3%); đang thực hiện 1; chưa thực hiện 1; quá hạn 1" in text
    assert "Tổ chức hội nghị OCOP cấp huyện" in text
    # per-district table rows (layout mode keeps a row on one line): A 11,6 (58/5), B 12,5 (25/2)
    lines = pdf_text(data, layout=True).splitlines()
    row_a = next(line for line in lines if line.strip().startswith("Huyện Tuần Giáo"))
    row_b = next(line for line in lines if line.strip().startswith("Huyện Điện Biên"))
    assert row_a.split()[3:] == ["5", "5", "11,6", "1", "1", "0", "1"]
    assert row_b.split()[3:] == ["2", "2", "12,5", "0", "0", "1", "0"]
    # criterion 19 met by one xã of seven (14,3 %), criterion 5 by six (85,7 %)
    row_19 = next(line for line in lines if "Quốc phòng và An ninh" in line)
    assert row_19.split()[0] == "19"
    assert row_19.split()[-3:] == ["1", "14,3", "0"]
    row_5 = next(line for line in lines if line.split()[:2] == ["5", "Trường"])
    assert row_5.split()[-3:] == ["6", "85,7", "0"]
    # the matrix appendix lists every counted xã with its 19 criteria: Rạng Đông meets all, 099-13 the first 4
    assert "PHỤ LỤC" in text
    row_full = next(line for line in lines if line.split()[:1] == ["03260"])
    assert row_full.split()[-20:] == ["x"] * 19 + ["19"]
    row_low = next(line for line in lines if line.split()[:1] == ["09913"])
    assert row_low.split()[-5:] == ["x"] * 4 + ["4"]
    assert report.pages >= 3


def test_appendix_and_at_risk_list_group_communes_under_their_district(report_province, cast):
    # given the fixture province's 2021-H1 report (communes in two districts)
    report = _request(cast.leader)
    ntm = report.snapshot["ntm"]
    district_of = {row["code"]: row["district"] for row in ntm["matrix"]["rows"]}
    assert len(set(district_of.values())) >= 2
    # then the appendix has no district column: each district is a heading row, once, above its communes
    lines = [line.strip() for line in pdf_text(report.file.read(), layout=True).splitlines()]
    appendix = lines[lines.index("PHỤ LỤC"):]
    assert any(line.startswith("Mã, tên xã") for line in appendix)
    current, headings, placed = None, [], {}
    for line in appendix:
        if line in district_of.values():
            current = line
            headings.append(line)
        elif line.split()[:1] and line.split()[0] in district_of:
            placed[line.split()[0]] = current
    assert sorted(headings) == sorted(set(district_of.values()))  # each district once
    assert placed == district_of  # every xã under its own district


def test_at_risk_rows_are_ordered_by_district_for_their_heading_rows():
    # given at-risk indicators listed by commune code, whose districts interleave
    from types import SimpleNamespace

    from reports.builders import _at_risk_by_commune

    def item(commune, district, indicator):
        return SimpleNamespace(commune=commune, commune_name=f"Xã {commune}", district=district, criterion=1,
                               indicator=indicator, indicator_name="", comparator="gte", value=1, threshold=1)

    items = [item("001", "B", "1.1"), item("001", "B", "1.2"), item("002", "A", "1.1"), item("003", "B", "1.1")]
    # when the report groups them / then one row per commune, by district then commune (one run per district)
    rows = _at_risk_by_commune(items, {"A": "Huyện A", "B": "Huyện B"})
    assert [(row["district"], row["code"], len(row["items"])) for row in rows] == [
        ("Huyện A", "002", 1), ("Huyện B", "001", 2), ("Huyện B", "003", 1)]
    assert all("_order" not in row for row in rows)


def _pdffonts(data: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def test_only_embedded_liberation_subsets_and_vietnamese_extracts_exactly(report_province, cast, tmp_path):
    report = _request(cast.leader)
    data = report.file.read()
    # pdffonts: every font a subset (ABCDEF+), of Liberation Serif or Liberation Mono, embedded, with Unicode
    rows = _pdffonts(data, tmp_path)
    names = {row[0].split("+", 1)[1] for row in rows}
    assert names <= {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic",
                     "Liberation-Serif-Bold-Italic", "Liberation-Mono", "Liberation-Mono-Bold"}
    assert {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic", "Liberation-Mono"} <= names
    assert all(len(row[0].split("+", 1)[0]) == 6 for row in rows)
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows), rows  # emb, sub, uni
    fonts = pdf_fonts(data)
    assert fonts and all(font["embedded"] and font["unicode"] for font in fonts)
    text = flat(pdf_text(data))
    for phrase in ("Xã Mường Ảng", "Độc lập - Tự do - Hạnh phúc", "TM. ỦY BAN NHÂN DÂN", "Quốc phòng và An ninh",
                   "Hệ thống chính trị và tiếp cận pháp luật", "Rà soát tiêu chí nhà ở dân cư"):
        assert phrase in text, phrase
    assert "\ufffd" not in text


def test_a_missing_font_fails_the_render_with_a_message(report_province, cast, settings, tmp_path):
    settings.REPORTS_FONT_DIR = str(tmp_path / "no-fonts")
    report = _request(cast.leader)
    assert report.status == ReportStatus.FAILED
    assert "install Debian's fonts-liberation2" in report.error
    assert not report.file


def _first_line(data: bytes, page: int) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"], input=data,
                         capture_output=True, check=True).stdout.decode()
    return next(line.strip() for line in out.splitlines() if line.strip())


def test_page_numbers_from_the_second_page_and_the_appendix_on_its_own(report_province, cast):
    report = _request(cast.leader)
    data = report.file.read()
    lines = [_first_line(data, page) for page in range(1, report.pages + 1)]
    appendix = next(index for index, line in enumerate(lines) if line == "PHỤ LỤC")
    # Nghị định 30: no number on the first page; each later page starts with its number, centred at the top;
    # the appendix is numbered on its own, from its second page
    assert lines[0].startswith("ỦY BAN NHÂN DÂN")
    assert lines[1:appendix] == [str(page) for page in range(2, appendix + 1)]
    assert lines[appendix + 1:] == [str(page) for page in range(2, report.pages - appendix + 1)]


def test_district_report_covers_one_district(report_province, cast):
    report = _request(cast.officer_a, kind=ReportKind.DISTRICT, district=report_province.units.district_a)
    text = flat(pdf_text(report.file.read()))
    assert "ỦY BAN NHÂN DÂN HUYỆN TUẦN GIÁO" in text
    assert "Tuần Giáo, ngày" in text
    assert "của Ủy ban nhân dân huyện Tuần Giáo./." in text
    # district A: 5 xã, 58/5 = 11,6; one at 19, one below 5; two OCOP products of district A
    assert "số tiêu chí bình quân đạt 11,6 tiêu chí/xã (tính trên 5/5 xã" in text
    assert "có 02 sản phẩm OCOP còn hiệu lực chứng nhận" in text
    assert "Xã Mường Nhà" not in text


def test_rendering_again_from_the_snapshot_gives_the_same_text_after_data_changed(report_province, cast):
    # given a done report
    report = _request(cast.leader)
    before = pdf_text(report.file.read())
    # when the data change (a xã is found recognised before the cut-off) and the report is rendered again
    Recognition.objects.create(
        commune=report_province.communes_b[1], level="standard", decision_number="1400/QĐ-UBND",
        decision_date=datetime.date(2021, 8, 1),
    )
    services.report_rerender(report=report)
    report.refresh_from_db()
    # then the text is identical, still one file, still DONE; a fresh snapshot would differ
    assert pdf_text(report.file.read()) == before
    assert [path.name for path in Path(report.file.path).parent.iterdir()] == [Path(report.file.name).name]
    assert report.status == ReportStatus.DONE
    fresh = _request(cast.leader)
    assert fresh.pk != report.pk
    assert fresh.snapshot["ntm"]["standard_or_higher"] == report.snapshot["ntm"]["standard_or_higher"] + 1


def test_a_missing_section_says_so(report_province, cast):
    report = _request(cast.leader)
    snapshot = copy.deepcopy(report.snapshot)
    snapshot["ocop"] = None
    snapshot["missing"] = ["ocop"]
    pdf, _pages = rendering.render_pdf(snapshot)
    text = flat(pdf_text(pdf))
    part_ocop = text[text.index("II. KẾT QUẢ THỰC HIỆN ĐỀ ÁN") : text.index("III. TÌNH HÌNH")]
    assert "Chưa có số liệu" in part_ocop


def test_report_is_stored_with_its_snapshot_and_timings(report_province, cast):
    report = _request(cast.leader)
    assert report.snapshot["ntm"]["avg_criteria"] == "11.86"
    assert report.snapshot["ntm"]["by_score"][19] == {"score": 19, "communes": 1}
    assert report.snapshot["missing"] == []
    assert report.size == report.file.size
    assert report.started_at <= report.finished_at
    assert report.attempts == 1
    assert report.data_cutoff is not None
    assert Report.objects.count() == 1


def test_report_figures_equal_the_summary_apis(report_province, cast, api):
    # the report and the dashboard/API read the same selectors, so their figures are the same
    report = _request(cast.leader)
    ntm, ocop = report.snapshot["ntm"], report.snapshot["ocop"]
    summary = api(cast.leader).get("/api/v1/summary/", {"period": PERIOD, "province": "11"}).json()
    assert (summary["communes"], summary["met_all_19"], summary["below_5"]) == (
        ntm["communes"], ntm["met_all"], ntm["below_5"]
    )
    assert summary["avg_criteria"] == float(ntm["avg_criteria"]) == 11.86
    assert summary["by_level"] == {row["level"]: row["communes"] for row in ntm["by_level"]}
    assert [(d["code"], d["communes"], d["met_all_19"]) for d in summary["districts"]] == [
        (d["code"], d["communes"], d["met_all"]) for d in ntm["districts"]
    ]
    assert [c["communes_met"] for c in summary["criteria"]] == [c["communes_met"] for c in ntm["criteria"]]
    assert summary["as_of"] == report.snapshot["cut_off"] == "2021-08-29"
    ocop_api = api(cast.leader).get("/api/v1/ocop/summary/", {"on": report.snapshot["cut_off"]}).json()
    assert (ocop_api["products"], ocop_api["expiring_90_days"]) == (ocop["products"], ocop["expiring_90_days"]) == (4, 1)
    assert ocop_api["by_stars"] == {str(row["stars"]): row["products"] for row in ocop["by_stars"]}
