"""Demo users, one per role (password: the DEMO_PASSWORD below)."""

from accounts.models import Role, User
from accounts.services import user_create
from communes.models import District
from directives.models import Agency, AgencyKind

DEMO_PASSWORD = "ntm-demo-2021"
DEMO_AGENCIES = [
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", AgencyKind.DEPARTMENT),
    ("SCT", "Sở Công Thương", AgencyKind.DEPARTMENT),
    ("SKHCN", "Sở Khoa học và Công nghệ", AgencyKind.DEPARTMENT),
    ("VPDP", "Văn phòng Điều phối nông thôn mới tỉnh", AgencyKind.OTHER),
    ("LMHTX", "Liên minh Hợp tác xã tỉnh", AgencyKind.OTHER),
    ("BTDKT", "Ban Thi đua - Khen thưởng tỉnh", AgencyKind.OTHER),
]
DEMO_USERS = [
    ("vanphong", Role.PROVINCE_STAFF, None, None, "Văn phòng Điều phối"),
    ("lanhdao", Role.LEADER, None, None, "Lãnh đạo UBND tỉnh"),
    ("tuangiao", Role.DISTRICT_OFFICER, "099", None, "Cán bộ huyện Tuần Giáo"),
    ("dienbien", Role.DISTRICT_OFFICER, "100", None, "Cán bộ huyện Điện Biên"),
    ("snn", Role.AGENCY_OFFICER, None, "SNNPTNT", "Cán bộ Sở NN&PTNT"),
    ("quantri", Role.ADMIN, None, None, "Quản trị"),
]


def ensure_agencies():
    """The agencies of the seed notice, and one district people's committee per district."""
    for code, name, kind in DEMO_AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    for district in District.objects.filter(province__code="11"):
        Agency.objects.get_or_create(
            code=f"UBND-{district.code}",
            defaults={"name": f"UBND {district.name}", "kind": AgencyKind.DISTRICT_COMMITTEE, "district": district},
        )


def load(stdout):
    ensure_agencies()
    created = 0
    for username, role, district_code, agency_code, name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            username=username, password=DEMO_PASSWORD, role=role,
            district=District.objects.get(code=district_code) if district_code else None,
            agency=Agency.objects.get(code=agency_code) if agency_code else None,
            first_name=name, validate=False,
        )
        created += 1
    stdout.write(f"Người dùng mẫu: {created} mới.")


def describe_logins() -> list[str]:
    lines = []
    for username, role, district_code, agency_code, _name in DEMO_USERS:
        scope = f" (huyện {district_code})" if district_code else (f" (cơ quan {agency_code})" if agency_code else "")
        lines.append(f"  {username:10} / {DEMO_PASSWORD}  — {Role(role).label}{scope}")
    return lines
