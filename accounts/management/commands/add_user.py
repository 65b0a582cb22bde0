from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.services import user_create
from communes.models import District
from communes.selectors import UnitNotFound, unit_for_code, units_for_code
from communes.services import validity_text
from directives.models import Agency


class Command(BaseCommand):
    help = "Tạo người dùng với vai trò và phạm vi (huyện, xã hoặc cơ quan)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--district", help="Mã huyện (GSO) cho cán bộ huyện")
        parser.add_argument("--agency", help="Mã cơ quan cho cán bộ sở, ngành")
        parser.add_argument(
            "--commune", action="extend", nargs="+", default=[], dest="communes",
            help="Mã xã (GSO) cho cán bộ xã, của bản đồ đơn vị hiện hành; lặp lại cho nhiều xã",
        )
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="Họ tên")

    def handle(self, *args, **options):
        district = agency = None
        if options["district"]:
            district = District.objects.filter(code=options["district"]).first()
            if district is None:
                raise CommandError(f"Không có huyện mã {options['district']}.")
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        communes = [self._commune(code) for code in options["communes"]]
        try:
            user = user_create(
                username=options["username"], password=options["password"], role=options["role"],
                district=district, agency=agency, communes=communes, first_name=options["name"], validate=False,
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(self.style.SUCCESS(f"Đã tạo {user.username} ({user.get_role_display()})."))

    def _commune(self, code: str):
        """The unit with this code on today's map; a code of another map (or none) is refused by name."""
        today = timezone.localdate()
        try:
            return unit_for_code(code, today)
        except UnitNotFound:
            others = units_for_code(code)
            if not others:
                raise CommandError(_("Không có xã mã %(code)s.") % {"code": code}) from None
            spans = "; ".join(f"{unit.name} ({validity_text(unit.valid_from, unit.valid_to)})" for unit in others)
            raise CommandError(
                _("Mã xã %(code)s không thuộc bản đồ đơn vị hành chính ngày %(day)s (%(units)s): cán bộ xã chỉ được "
                  "gán các xã của bản đồ hiện hành.") % {"code": code, "day": f"{today:%d/%m/%Y}", "units": spans}
            ) from None
