from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import user_create
from communes.models import District
from directives.models import Agency


class Command(BaseCommand):
    help = "Tạo người dùng với vai trò và phạm vi (huyện hoặc cơ quan)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--district", help="Mã huyện (GSO) cho cán bộ huyện")
        parser.add_argument("--agency", help="Mã cơ quan cho cán bộ sở, ngành")
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
        try:
            user = user_create(
                username=options["username"], password=options["password"], role=options["role"],
                district=district, agency=agency, first_name=options["name"], validate=False,
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(self.style.SUCCESS(f"Đã tạo {user.username} ({user.get_role_display()})."))
