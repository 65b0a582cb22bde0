from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from config.db import analyze


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh của tệp mẫu) — chạy lại nhiều lần không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="In danh sách tài khoản mẫu")

    def handle(self, *args, **options):
        for dotted in settings.NTM_DEMO_LOADERS:
            import_string(dotted)(self.stdout)  # a wrong name in the setting fails loudly (STYLE C19)
        analyze()  # the first report and dashboard right after loading are planned with statistics
        from criteria import risk

        risk.refresh_if_stale()  # new units (TDMNPB, regions) are inputs of the stored at-risk judgement
        if options["logins"]:
            from accounts.demo import describe_logins

            self.stdout.write("\nTài khoản mẫu (tên đăng nhập / mật khẩu):")
            for line in describe_logins():
                self.stdout.write(line)
