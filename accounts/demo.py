"""Demo users, one per role (password: the DEMO_PASSWORD below), and commune officers of three new xã."""

import datetime

from accounts.models import Role, User
from accounts.services import user_create
from communes.models import Commune, District
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


# Commune officers (cán bộ xã) of three xã of the map valid from 01/07/2025 (communes.demo.load_reform).
REFORM_DAY = datetime.date(2025, 7, 1)
DEMO_COMMUNE_OFFICERS = [
    ("xa_tuangiao", "03253", "Cán bộ xã Tuần Giáo"),
    ("xa_thanhnua", "03328", "Cán bộ xã Thanh Nưa"),
    ("xa_muongnha", "03368", "Cán bộ xã Mường Nhà"),
]


def load_commune_officers(stdout):
    """Three commune officers, each scoped to one new xã (after ``communes.demo.load_reform``); idempotent."""
    created = 0
    for username, code, name in DEMO_COMMUNE_OFFICERS:
        commune = Commune.objects.filter(code=code, valid_from=REFORM_DAY).first()
        if commune is None or User.objects.filter(username=username).exists():
            continue
        user_create(
            username=username, password=DEMO_PASSWORD, role=Role.COMMUNE_OFFICER, communes=[commune],
            first_name=name, validate=False,
        )
        created += 1
    stdout.write(f"Cán bộ xã mẫu: {created} mới.")


def describe_logins() -> list[str]:
    lines = []
    for username, role, district_code, agency_code, _name in DEMO_USERS:
        scope = f" (huyện {district_code})" if district_code else (f" (cơ quan {agency_code})" if agency_code else "")
        lines.append(f"  {username:10} / {DEMO_PASSWORD}  — {Role(role).label}{scope}")
    names = dict(
        Commune.objects.filter(code__in=[code for _u, code, _n in DEMO_COMMUNE_OFFICERS], valid_from=REFORM_DAY)
        .values_list("code", "name")
    )
    for username, code, _name in DEMO_COMMUNE_OFFICERS:
        if User.objects.filter(username=username).exists():
            lines.append(f"  {username:10} / {DEMO_PASSWORD}  — {Role.COMMUNE_OFFICER.label} ({names.get(code, code)}, "
                         f"mã {code}, từ {REFORM_DAY:%d/%m/%Y})")
    return lines
