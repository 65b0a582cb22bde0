from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from criteria.services.catalogue import CatalogueImportError, catalogue_load_file


class Command(BaseCommand):
    help = (
        "Nạp một bộ tiêu chí từ tệp YAML (định dạng của thư mục reference): tạo mới hoặc cập nhật theo mã bộ; "
        "kiểm tra cả tệp trước, có lỗi thì từ chối toàn bộ, không lưu gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Tên đăng nhập của người thực hiện (ghi vào lịch sử thay đổi)")

    def handle(self, *args, **options):
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng “{options['user']}”.")
        try:
            result = catalogue_load_file(options["file"], user=user)
        except CatalogueImportError as exc:
            for message in exc.errors:
                self.stderr.write(f"- {message}")
            raise CommandError(f"Tệp bị từ chối, không lưu gì: {len(exc.errors)} lỗi.") from None
        state = "tạo mới" if result.created else "cập nhật"
        self.stdout.write(
            f"Bộ tiêu chí {result.criteria_set.code}: {state}; {result.changes} thay đổi được ghi lại; "
            f"{result.created_indicators} chỉ tiêu mới."
        )
