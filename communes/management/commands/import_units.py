import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from communes import served
from communes.services import UnitImportError, units_import
from config.db import analyze


def _day(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Ngày không hợp lệ: “%(value)s” (dùng dạng YYYY-MM-DD).") % {"value": text}) from None


class Command(BaseCommand):
    help = (
        "Nhập đơn vị hành chính (tỉnh, huyện, xã) từ tệp CSV theo mã GSO; một đơn vị là (mã, ngày bắt đầu hiệu lực). "
        "Tệp sắp xếp (cột merged_from_codes) ghi cả nguồn gốc: đơn vị cũ hết hiệu lực ngày trước --valid-from."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--valid-from", dest="valid_from", help="YYYY-MM-DD: ngày các đơn vị của tệp bắt đầu hiệu lực")
        parser.add_argument("--decision", default="", help="Văn bản quyết định việc sắp xếp (vd. NQ 1661/NQ-UBTVQH15)")

    def handle(self, *args, **options):
        path: Path = options["file"]
        valid_from = _day(options["valid_from"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from None
        try:
            counts = units_import(text=text, valid_from=valid_from, decision=options["decision"])
        except UnitImportError as exc:
            for line, message in exc.errors:
                self.stderr.write(_("Dòng %(line)d: %(message)s") % {"line": line, "message": message})
            raise CommandError(f"Tệp bị từ chối, không lưu gì: {len(exc.errors)} lỗi.") from None
        for kind, label in (("province", "tỉnh"), ("district", "huyện"), ("commune", "xã")):
            self.stdout.write(
                f"{label}: {counts.created[kind]} tạo mới, {counts.updated[kind]} cập nhật, "
                f"{counts.unchanged[kind]} không đổi"
            )
        if counts.created["succession"] or counts.updated["succession"] or counts.unchanged["succession"]:
            self.stdout.write(
                _("nguồn gốc: %(created)d tạo mới, %(updated)d cập nhật, %(unchanged)d không đổi; "
                  "%(ended)d đơn vị cũ hết hiệu lực")
                % {"created": counts.created["succession"], "updated": counts.updated["succession"],
                   "unchanged": counts.unchanged["succession"], "ended": counts.updated["ended"]}
            )
        served.on_units_imported()
        analyze()  # a new map's first pages are planned with statistics
        from criteria import risk

        risk.refresh_if_stale()  # new units (TDMNPB, regions) are inputs of the stored at-risk judgement
