from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communes import served
from communes.services import UnitImportError, units_import


class Command(BaseCommand):
    help = "Nhập đơn vị hành chính (tỉnh, huyện, xã) từ tệp CSV theo mã GSO; tạo mới hoặc cập nhật theo mã."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from None
        try:
            counts = units_import(text=text)
        except UnitImportError as exc:
            for line, message in exc.errors:
                self.stderr.write(f"Dòng {line}: {message}")
            raise CommandError(f"Tệp bị từ chối, không lưu gì: {len(exc.errors)} lỗi.") from None
        for kind, label in (("province", "tỉnh"), ("district", "huyện"), ("commune", "xã")):
            self.stdout.write(
                f"{label}: {counts.created[kind]} tạo mới, {counts.updated[kind]} cập nhật, "
                f"{counts.unchanged[kind]} không đổi"
            )
        served.on_units_imported()
