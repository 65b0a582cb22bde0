"""Draft and final (issue 16): a report is a draft ("DỰ THẢO", no number) until province staff issue it; the
final document is rendered once from the stored snapshot, its SHA-256 recorded, and never rendered again.
Also: the signature block stays on the page of the body's end (reports of about 5, 14 and 57 pages), the
PDF is tagged PDF/UA-1 with its metadata and bookmarks. veraPDF is not installable from the package
registries this project uses (PyPI, Debian, npm), so the structure is checked here with pdfinfo and pypdf.
"""

import copy
import datetime
import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from reports import document, rendering, services
from reports.models import Report, ReportKind, ReportStatus, SignerCapacity
from reports.tasks import render_report

from .conftest import PERIOD, flat, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)
RECIPIENTS = ["Bộ Nông nghiệp và Môi trường (b/c);", "TT. Tỉnh ủy (b/c);", "Lưu: VT, KTN."]


def _draft(user, **kwargs) -> Report:
    kwargs.setdefault("kind", ReportKind.PROVINCE)
    kwargs.setdefault("period", PERIOD)
    report = services.report_request(user=user, **kwargs)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    return report


def _issue(report, by, **overrides) -> Report:
    values = {
        "number": 5, "issued_on": timezone.localdate(), "signer_name": "Lê Thành Đô",
        "signer_capacity": SignerCapacity.CHAIR, "recipients": RECIPIENTS,
    }
    values.update(overrides)
    return services.report_issue(report=report, by=by, **values)


def _pages(data: bytes) -> list[str]:
    count = len(PdfReader(io.BytesIO(data)).pages)
    return [
        subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-", "-"], input=data, capture_output=True,
                       check=True).stdout.decode()
        for page in range(1, count + 1)
    ]


def _watermarks(data: bytes) -> list[int]:
    """"DỰ THẢO" on each page, as pypdf extracts it (poppler's pdftotext drops diagonal text such as the
    watermark; the boxed mark under the number is upright)."""
    return [page.extract_text().count("DỰ THẢO") for page in PdfReader(io.BytesIO(data)).pages]


def _pdfinfo(data: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


# --- issuing -------------------------------------------------------------------------------------------


def test_issuing_renders_the_final_once_from_the_snapshot_with_number_date_and_signer(report_province, cast):
    # given a done draft, and data that change after it was taken
    report = _draft(cast.leader)
    draft_bytes = report.file.read()
    commune = report_province.communes_b[1]
    commune.level = "standard"
    commune.save(update_fields=["level"])
    # when province staff issue it as number 5, signed by the Vice Chair
    issued_on = timezone.localdate()
    _issue(report, cast.staff, signer_capacity=SignerCapacity.VICE_CHAIR)
    report.refresh_from_db()
    # then the final is rendered (in-process here), its hash recorded, and it is the province's document
    assert (report.status, report.is_final, report.number, report.issued_by) == (
        ReportStatus.DONE, True, "05/BC-UBND", cast.staff
    )
    final = report.final_file.read()
    assert report.sha256 == hashlib.sha256(final).hexdigest()
    assert (report.final_size, report.final_pages) == (len(final), len(PdfReader(io.BytesIO(final)).pages))
    text = flat(pdf_text(final))
    month = f"{issued_on.month:02d}" if issued_on.month < 3 else str(issued_on.month)
    for part in ("Số: 05/BC-UBND", f"Điện Biên, ngày {issued_on.day:02d} tháng {month} năm {issued_on.year}",
                 "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Lê Thành Đô",
                 "- Bộ Nông nghiệp và Môi trường (b/c);", "- Lưu: VT, KTN.",
                 f"Kèm theo Báo cáo số 05/BC-UBND ngày {issued_on:%d/%m/%Y} của Ủy ban nhân dân tỉnh Điện Biên"):
        assert part in text, part
    # no draft mark on any page of the final, and the figures are the snapshot's, not today's
    assert "DỰ THẢO" not in text
    assert "Bộ Nông nghiệp và PTNT (b/c);" not in text
    assert "trong đó 01 xã đạt chuẩn trở lên" in text
    # the draft is still there, unchanged, and marked on every page
    assert report.file.read() == draft_bytes
    assert _watermarks(draft_bytes)[0] == 2 and min(_watermarks(draft_bytes)) == 1


def test_a_final_is_never_rendered_again(report_province, cast):
    # given an issued report
    report = _issue(_draft(cast.leader), cast.staff)
    report.refresh_from_db()
    recorded, name = report.sha256, report.final_file.name
    # when it is asked again in every way: issued again, re-rendered, its task run again, the same report asked for
    with pytest.raises(ValidationError) as again:
        _issue(report, cast.staff, number=6)
    assert again.value.messages == ["Báo cáo đã ban hành (số 05/BC-UBND); bản chính thức không thay đổi."]
    with pytest.raises(ValidationError) as rerender:
        services.report_rerender(report=report)
    assert rerender.value.messages == ["Báo cáo đã ban hành; bản chính thức không được dựng lại."]
    assert render_report.apply(args=[report.pk]).get() == "skipped"
    fresh = _draft(cast.leader)
    # then the final is the same file with the same hash; a new request is a new draft
    report.refresh_from_db()
    assert (report.sha256, report.final_file.name, report.number) == (recorded, name, "05/BC-UBND")
    assert hashlib.sha256(report.final_file.read()).hexdigest() == recorded
    assert fresh.pk != report.pk and not fresh.is_final


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"number": 0}, "number", "Số văn bản là một số từ 1 đến 99999."),
        ({"signer_name": "  "}, "signer_name", "Cần họ và tên người ký."),
        ({"signer_capacity": "secretary"}, "signer_capacity", "Thẩm quyền ký không hợp lệ."),
        ({"recipients": []}, "recipients", "Cần ít nhất một nơi nhận."),
        ({"issued_on": "tomorrow"}, "issued_on", "Ngày ban hành không được sau hôm nay ({today})."),
        ({"issued_on": "before the figures"}, "issued_on", "Ngày ban hành không được trước ngày chốt số liệu ({cut_off})."),
    ],
)
def test_bad_issue_details_are_refused_and_nothing_changes(report_province, cast, overrides, field, message):
    report = _draft(cast.leader)
    today, cut_off = timezone.localdate(), report.cut_off  # 2021-H1 closed on 29/08/2021: its figures' day
    days = {"tomorrow": today + datetime.timedelta(days=1), "before the figures": cut_off - datetime.timedelta(days=1)}
    if overrides.get("issued_on") in days:
        overrides = {"issued_on": days[overrides["issued_on"]]}
    with pytest.raises(ValidationError) as error:
        _issue(report, cast.staff, **overrides)
    assert error.value.message_dict == {field: [message.format(today=f"{today:%d/%m/%Y}", cut_off=f"{cut_off:%d/%m/%Y}")]}
    report.refresh_from_db()
    assert (report.is_final, report.number, report.final_file.name, report.sha256) == (False, "", "", "")


def test_a_number_is_used_once_a_year_by_one_issuing_body(report_province, cast):
    first = _issue(_draft(cast.leader), cast.staff)
    second = _draft(cast.leader, kind=ReportKind.PROVINCE, period="2021")
    with pytest.raises(ValidationError) as error:
        _issue(second, cast.staff)
    year = timezone.localdate().year
    assert error.value.message_dict == {"number": [f"Số 05/BC-UBND năm {year} đã dùng cho báo cáo #{first.pk}."]}
    # the district's People's Committee numbers its own documents
    district = _draft(cast.staff, kind=ReportKind.DISTRICT, district=report_province.units.district_a)
    assert _issue(district, cast.staff).number == "05/BC-UBND"


@pytest.mark.parametrize("who", ["leader", "officer_a", "agency_officer"])
def test_only_province_staff_issue(report_province, cast, who):
    report = _draft(cast.leader)
    with pytest.raises(PermissionDenied) as error:
        _issue(report, getattr(cast, who))
    assert str(error.value) == "Chỉ cán bộ Văn phòng Điều phối tỉnh được ban hành báo cáo."
    report.refresh_from_db()
    assert not report.is_final


# --- pages and API -------------------------------------------------------------------------------------


def test_staff_issue_on_the_page_and_leaders_download_both(report_province, cast, login):
    report = _draft(cast.leader)
    staff = login(cast.staff)
    page = staff.get(f"/reports/{report.pk}/").content.decode()
    assert f'action="/reports/{report.pk}/issue/"' in page
    assert "Bộ Nông nghiệp và PTNT (b/c);" in page  # the draft's recipients, ready to edit
    # a bad value shows the form again with its message, nothing issued
    bad = staff.post(f"/reports/{report.pk}/issue/", {
        "number": "5", "issued_on": "01/01/2020", "signer_capacity": "chair", "signer_name": "Lê Thành Đô",
        "recipients": "Lưu: VT.",
    })
    assert bad.status_code == 400
    assert "Ngày ban hành không được trước ngày chốt số liệu" in bad.content.decode()
    assert not Report.objects.get(pk=report.pk).is_final
    response = staff.post(f"/reports/{report.pk}/issue/", {
        "number": "12", "issued_on": timezone.localdate().isoformat(), "signer_capacity": "chair",
        "signer_name": "Lê Thành Đô", "recipients": "- Bộ Nông nghiệp và Môi trường (b/c);\n\nLưu: VT.",
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.number, report.recipients) == ("12/BC-UBND", ["Bộ Nông nghiệp và Môi trường (b/c);", "Lưu: VT."])
    # the leader's list says which is which and offers both files; the page shows the hash
    leader = login(cast.leader)
    listing = leader.get("/reports/").content.decode()
    assert '<span class="badge final">Chính thức số 12/BC-UBND</span>' in listing
    assert f'href="/reports/{report.pk}/pdf/">PDF chính thức</a>' in listing
    assert f'href="/reports/{report.pk}/draft/">PDF dự thảo</a>' in listing
    assert report.sha256 in leader.get(f"/reports/{report.pk}/").content.decode()
    final = leader.get(f"/reports/{report.pk}/pdf/")
    assert final["Content-Disposition"] == 'attachment; filename="bao-cao-2021-H1-tinh-dien-bien-so-12-bc-ubnd.pdf"'
    assert hashlib.sha256(b"".join(final.streaming_content)).hexdigest() == report.sha256
    draft = leader.get(f"/reports/{report.pk}/draft/")
    assert "DỰ THẢO" in pdf_text(b"".join(draft.streaming_content))
    assert "DỰ THẢO" not in pdf_text(report.final_file.read())


@pytest.mark.parametrize(("who", "code"), [("leader", 403), ("officer_b", 404), ("agency_officer", 404)])
def test_issuing_outside_the_scope_is_refused_and_changes_nothing(report_province, cast, login, who, code):
    report = _draft(cast.leader)
    response = login(getattr(cast, who)).post(f"/reports/{report.pk}/issue/", {
        "number": "5", "issued_on": timezone.localdate().isoformat(), "signer_capacity": "chair",
        "signer_name": "X", "recipients": "Lưu: VT.",
    })
    assert response.status_code == code
    assert not Report.objects.get(pk=report.pk).is_final


def test_the_api_says_final_number_and_hash(report_province, cast, api):
    report = _issue(_draft(cast.leader), cast.staff)
    body = api(cast.leader).get(f"/api/v1/reports/{report.pk}/").json()
    assert (body["final"], body["number"], body["sha256"]) == (True, "05/BC-UBND", report.sha256)
    assert body["file_url"] == f"http://testserver/api/v1/reports/{report.pk}/file/"
    final = api(cast.leader).get(body["file_url"])
    assert hashlib.sha256(b"".join(final.streaming_content)).hexdigest() == report.sha256
    draft = api(cast.leader).get(body["draft_url"])
    assert b"".join(draft.streaming_content) == report.file.read()


# --- accessible and archival ---------------------------------------------------------------------------


def test_the_final_is_tagged_pdf_ua_with_its_metadata_and_bookmarks(report_province, cast, tmp_path):
    report = _issue(_draft(cast.leader), cast.staff)
    report.refresh_from_db()
    data = report.final_file.read()
    info = _pdfinfo(data, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == ("Báo cáo số 05/BC-UBND: Kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới "
                             "và Đề án OCOP 6 tháng đầu năm 2021")
    assert info["Author"] == "Ủy ban nhân dân tỉnh Điện Biên"
    assert info["Subject"] == "Kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới và Đề án OCOP 6 tháng đầu năm 2021"
    assert info["CreationDate"]
    reader = PdfReader(io.BytesIO(data))
    # created when it was issued (the final's moment, not the render's)
    assert reader.metadata.creation_date == report.issued_at.replace(microsecond=0)
    catalog = reader.trailer["/Root"]
    assert (catalog["/Lang"], catalog["/MarkInfo"]["/Marked"]) == ("vi", True)
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    # bookmarks: each section, its sub-sections below it, the appendix
    outline = [item.title if not isinstance(item, list) else [sub.title for sub in item] for item in reader.outline]
    assert outline[0] == "I. KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH MTQG XÂY DỰNG NÔNG THÔN MỚI"
    assert outline[1][:2] == ["1. Kết quả chung", "2. Kết quả theo đơn vị cấp huyện"]
    assert [item for item in outline if not isinstance(item, list)] == [
        "I. KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH MTQG XÂY DỰNG NÔNG THÔN MỚI",
        "II. KẾT QUẢ THỰC HIỆN ĐỀ ÁN MỖI XÃ MỘT SẢN PHẨM (OCOP)",
        "III. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ ĐƯỢC GIAO",
        "PHỤ LỤC",
    ]
    # table headers are tagged as headers (TH), one per header cell of the template's tables
    tags: dict[str, int] = {}

    def walk(element):
        element = element.get_object()
        if "/S" in element:
            tags[element["/S"]] = tags.get(element["/S"], 0) + 1
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid)

    walk(catalog["/StructTreeRoot"])
    header_cells = rendering.render_html(report.snapshot, issue=services._issue_of(report)).count('<th scope="col"')
    # (a header repeated on the next page of a long table is tagged there too)
    assert header_cells > 40
    assert tags["/TH"] >= header_cells
    assert tags["/THead"] == tags["/Table"]
    # charts are figures with their title as alternative text
    assert tags["/Figure"] == len(report.snapshot["charts"])


def test_watermark_on_every_page_of_a_draft_and_on_none_of_a_final(report_province, cast):
    report = _issue(_draft(cast.leader), cast.staff)
    report.refresh_from_db()
    draft, final = _watermarks(report.file.read()), _watermarks(report.final_file.read())
    # the draft: the boxed mark and the watermark on page 1, the watermark on every other page
    assert len(draft) >= 5
    assert draft == [2] + [1] * (len(draft) - 1)
    assert final == [0] * len(final)


# --- the signature block stays with the end of the body -------------------------------------------------


def _sized(snapshot: dict, *, task_rows: int, matrix_rows: int = 0) -> dict:
    """The fixture's snapshot with ``task_rows`` more done tasks (the body's last table) and ``matrix_rows``
    more rows in the appendix."""
    grown = copy.deepcopy(snapshot)
    model = grown["tasks"]["done_tasks"][0]
    grown["tasks"]["done_tasks"] += [
        dict(model, content=f"Nhiệm vụ bổ sung số {index}: {model['content']}") for index in range(task_rows)
    ]
    rows = grown["ntm"]["matrix"]["rows"]
    rows += [dict(rows[index % len(rows)], code=f"9{index:04d}") for index in range(matrix_rows)]
    rows.sort(key=lambda row: row["district"])  # as the selector lists them: by district (a heading row each)
    return grown


ISSUE = document.Issue(number="05/BC-UBND", issued_on=datetime.date(2031, 1, 5), signer_name="Lê Thành Đô",
                       signer_capacity=SignerCapacity.CHAIR, recipients=RECIPIENTS)


def _signature_pages(snapshot: dict, *, last_row: str | None) -> tuple[int, set[int]]:
    """Pages, and the set of pages holding the body's last line ("./."), the last task row, the authority,
    the title and the signer's name (one page when the block stays with the end of the body)."""
    pdf, pages = rendering.render_pdf(snapshot, issue=ISSUE)
    texts = _pages(pdf)
    appendix = next((index for index, page in enumerate(texts) if "PHỤ LỤC" in page), len(texts))
    body = texts[:appendix]
    markers = ["./.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Thành Đô"] + ([last_row] if last_row else [])
    found = {index for index, page in enumerate(body) for marker in markers if marker in page}
    assert all(any(marker in page for page in body) for marker in markers)
    return pages, found


def _crossing(snapshot: dict, *, start: int, span: int = 48) -> tuple[int, int]:
    """The fewest task rows from ``start`` at which the report gets one more page. A row is shorter than the
    closing block, so at that size the block no longer fits after the last row and must move to the next
    page with the body's end: the size that tests the rule. Asserts, at that size and the one before,
    that the body's end, the authority, the title and the signer's name share one page."""

    def check(rows: int) -> int:
        pages, found = _signature_pages(_sized(snapshot, task_rows=rows), last_row=f"Nhiệm vụ bổ sung số {rows - 1}:")
        assert len(found) == 1, (rows, pages, found)
        return pages

    base = check(start)
    low, high = start, start + span  # pages(low) == base; find the first row count with more pages
    assert check(high) > base, f"no page break crossed between {start} and {high} rows"
    while high - low > 1:
        middle = (low + high) // 2
        if check(middle) > base:
            high = middle
        else:
            low = middle
    return high, base + 1


@pytest.fixture
def fixture_snapshot(report_province, cast):
    return _draft(cast.leader).snapshot


def test_signature_stays_with_the_end_of_the_body_about_5_pages(fixture_snapshot):
    rows, pages = _crossing(fixture_snapshot, start=1)
    assert 5 <= pages <= 7, pages


def test_signature_stays_with_the_end_of_the_body_about_14_and_57_pages(fixture_snapshot):
    # about 14 pages: some 130 more tasks in the body
    rows, pages = _crossing(fixture_snapshot, start=130)
    assert 12 <= pages <= 16, pages
    # about 57 pages: the same body (the same break, the block moved with the body's end) and a long appendix
    grown = _sized(fixture_snapshot, task_rows=rows, matrix_rows=1950)
    total, found = _signature_pages(grown, last_row=f"Nhiệm vụ bổ sung số {rows - 1}:")
    assert len(found) == 1
    assert 52 <= total <= 62, total


def test_old_snapshots_render_with_the_full_issuer(report_province, cast):
    # a snapshot stored before the decree's form was introduced (abbreviated issuer, no closing sentence)
    snapshot = copy.deepcopy(_draft(cast.leader).snapshot)
    snapshot["document"] = {key: value for key, value in snapshot["document"].items()
                            if key in ("title", "subtitle", "scope_phrase", "recipients", "place", "date")}
    snapshot["document"]["issuer"] = "UBND TỈNH ĐIỆN BIÊN"
    snapshot["document"]["signature"] = {"on_behalf": "TM. ỦY BAN NHÂN DÂN", "role": "CHỦ TỊCH", "name": ""}
    text = flat(pdf_text(rendering.render_pdf(snapshot, issue=ISSUE)[0]))
    assert "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN" in text
    assert "của Ủy ban nhân dân tỉnh Điện Biên./." in text
    assert "Lê Thành Đô" in text
    assert "UBND TỈNH ĐIỆN BIÊN" not in text


def test_files_of_a_report_are_the_draft_and_one_final(report_province, cast):
    report = _issue(_draft(cast.leader), cast.staff)
    report.refresh_from_db()
    folder = Path(report.file.path).parent
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [Path(report.file.name).name, Path(report.final_file.name).name]
    )


def test_a_final_whose_render_failed_can_be_issued_again(report_province, cast, settings, login, tmp_path):
    # given a draft issued while the fonts are missing: the final's render fails, nothing is frozen
    report = _draft(cast.leader)
    fonts = settings.REPORTS_FONT_DIR
    settings.REPORTS_FONT_DIR = str(tmp_path / "no-fonts")
    _issue(report, cast.staff)
    report.refresh_from_db()
    assert (report.status, report.is_final, report.sha256, report.final_file.name) == (ReportStatus.FAILED, True, "", "")
    assert "install Debian's fonts-liberation2" in report.error
    # then the page offers the form again, filled with what was entered, and the draft stays downloadable
    page = login(cast.staff).get(f"/reports/{report.pk}/").content.decode()
    assert f'action="/reports/{report.pk}/issue/"' in page
    assert 'value="Lê Thành Đô"' in page
    assert login(cast.leader).get(f"/reports/{report.pk}/draft/").status_code == 200
    # when it is issued again with the fonts back: the final is rendered and frozen
    settings.REPORTS_FONT_DIR = fonts
    _issue(report, cast.staff, number=6)
    report.refresh_from_db()
    assert (report.status, report.number, len(report.sha256)) == (ReportStatus.DONE, "06/BC-UBND", 64)
