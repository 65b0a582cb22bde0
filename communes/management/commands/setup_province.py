"""Turn an empty installation into a working one for any province, in one command (issue 18).

    manage.py setup_province FILE.csv [LINEAGE.csv] [--valid-from YYYY-MM-DD] [--admin USERNAME]

1. ``migrate`` (its post-migrate loaders create the shipped criteria sets and the OCOP product groups);
2. ``import_units`` FILE.csv (and the lineage file / valid-from date when given): the province, its districts and
   communes; the province's region comes from communes/data/province-regions.csv; the installation now serves
   the province (communes.served);
3. an administrator login, its random password printed once.

Refused, with nothing changed, when the installation already serves another province, when NTM_PROVINCE_CODE
names another province than the file, or when the file holds several provinces and NTM_PROVINCE_CODE does not
choose one. Running it again for the same province changes nothing that is already there.
"""

import csv
import datetime
import secrets
from pathlib import Path

from django.apps import apps
from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from communes import served
from config.db import analyze

DEFAULT_ADMIN = "quantri"


def _file_provinces(path: Path) -> dict[str, str]:
    """Province code → name as the units file gives them (the file itself is checked by import_units)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"Không đọc được tệp {path}: {exc}") from None
    found = {}
    for row in rows:
        code = (row.get("province_code") or "").strip()
        if code:
            found.setdefault(code, (row.get("province_name") or "").strip())
    return found


def _import_actions() -> dict:
    """The arguments this installation's import_units accepts, by name (lineage and valid-from arrive with the
    2025 reform's import)."""
    parser = load_command_class("communes", "import_units").create_parser("manage.py", "import_units")
    return {action.dest: action for action in parser._actions}


class Command(BaseCommand):
    help = (
        "Thiết lập hệ thống cho một tỉnh từ tệp đơn vị hành chính (CSV theo mã GSO): nạp đơn vị, vùng của tỉnh, "
        "bộ tiêu chí, tạo tài khoản quản trị; từ chối nếu hệ thống đang phục vụ tỉnh khác."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp đơn vị hành chính (CSV)")
        parser.add_argument("lineage", type=Path, nargs="?", help="Tệp nguồn gốc đơn vị (sắp xếp 2025), nếu có")
        parser.add_argument("--valid-from", dest="valid_from", type=datetime.date.fromisoformat,
                            help="Ngày đơn vị có hiệu lực (YYYY-MM-DD)")
        parser.add_argument("--admin", default=DEFAULT_ADMIN, help=f"Tên đăng nhập quản trị (mặc định {DEFAULT_ADMIN})")

    def handle(self, *args, **options):
        path: Path = options["file"]
        in_file = _file_provinces(path)
        code = self._province_code(in_file)
        import_args = self._import_args(options)
        call_command("migrate", interactive=False, verbosity=0)
        current = served.served_province_or_none()
        if current is not None and current.code != code:
            raise CommandError(
                f"Hệ thống đang phục vụ {current.name} (mã {current.code}); tệp là của tỉnh mã {code}. "
                "setup_province chỉ thiết lập hệ thống trống (hoặc chạy lại cho cùng tỉnh); muốn đổi tỉnh, "
                "quản trị hệ thống đổi trong trang quản trị."
            )
        with transaction.atomic():
            call_command("import_units", str(path), *import_args, stdout=self.stdout, stderr=self.stderr)
            province = served.on_units_imported()
            if province is None or province.code != code:
                raise CommandError(f"Không xác định được tỉnh mã {code} sau khi nạp tệp; không lưu gì.")
            login = self._admin(options["admin"])

        analyze()  # a fresh installation's first pages are planned with statistics
        from criteria import risk

        risk.refresh_if_stale()  # new units (TDMNPB, regions) are inputs of the stored at-risk judgement
        CriteriaSet = apps.get_model("criteria", "CriteriaSet")
        ProductGroup = apps.get_model("ocop", "ProductGroup")
        self.stdout.write(self.style.SUCCESS(f"Hệ thống phục vụ {province.name} (mã {province.code})."))
        self.stdout.write(
            f"Vùng: {province.get_region_display()} (communes/data/province-regions.csv); "
            f"{province.districts.count()} huyện, {province.communes.count()} xã."
        )
        self.stdout.write(
            f"Bộ tiêu chí: {CriteriaSet.objects.count()}; nhóm sản phẩm OCOP: {ProductGroup.objects.count()}."
        )
        self.stdout.write(login)

    def _province_code(self, in_file: dict[str, str]) -> str:
        configured = served.configured_code()
        if not in_file:
            raise CommandError("Tệp không có dòng đơn vị nào (cột province_code).")
        if configured and configured not in in_file:
            raise CommandError(
                f"NTM_PROVINCE_CODE={configured} nhưng tệp không có tỉnh này (tệp có: {', '.join(sorted(in_file))}). "
                "Hãy bỏ biến NTM_PROVINCE_CODE hoặc đặt đúng mã tỉnh."
            )
        if configured:
            return configured
        if len(in_file) > 1:
            raise CommandError(
                f"Tệp có {len(in_file)} tỉnh: hãy dùng tệp của một tỉnh, hoặc đặt NTM_PROVINCE_CODE để chọn tỉnh."
            )
        return next(iter(in_file))

    def _import_args(self, options) -> list[str]:
        """import_units' arguments as on its command line (so that its own parser converts them)."""
        actions = _import_actions()
        args = []
        for name, value, label in (("lineage", options.get("lineage"), "tệp nguồn gốc đơn vị"),
                                   ("valid_from", options.get("valid_from"), "--valid-from")):
            if not value:
                continue
            action = actions.get(name)
            if action is None:
                raise CommandError(f"import_units của phiên bản này chưa nhận {label}.")
            text = value.isoformat() if isinstance(value, datetime.date) else str(value)
            args += [action.option_strings[-1], text] if action.option_strings else [text]
        return args

    def _admin(self, username: str) -> str:
        User = apps.get_model("accounts", "User")
        if User.objects.filter(username__iexact=username).exists():
            return f"Tài khoản quản trị {username} đã có: giữ nguyên mật khẩu."
        # call_command hands a required option to argparse as "--password VALUE": a value starting with "-"
        # (one token_urlsafe in 64) would be read as another option, so such a draw is taken again.
        password = secrets.token_urlsafe(12)
        while password.startswith("-"):
            password = secrets.token_urlsafe(12)
        call_command("add_user", username, role="admin", password=password, name="Quản trị hệ thống",
                     stdout=self.stdout)
        return f"Đăng nhập quản trị: {username} / {password} (mật khẩu chỉ in một lần; hãy đổi sau khi đăng nhập)."
