"""Demo OCOP data for Điện Biên, consistent with the seed notice (TB 63/TB-UBND, 16/08/2021).

35 products recognised by the province between 2019 and 08/2021 (mostly 3 stars, some 4), with
their producers of every kind; later re-evaluations under QĐ 148 so that, relative to the day the demo
is loaded, some certificates are valid, a few expire within 90 days and the rest have expired; one
flagship per district; a few potential products; the 2021 cycle board of all 10 districts.

Product and producer names are ILLUSTRATIVE: typical Điện Biên specialities (gạo Séng Cù, cà phê
Mường Ảng, chè shan tuyết Tủa Chùa, mắc khén, thịt trâu gác bếp, mật ong, miến dong…), not the
province's official list; decision numbers are invented. Idempotent: a second run creates nothing.
"""

import datetime
from decimal import Decimal

from django.db.models import Q

from accounts.models import Role, User
from communes.models import Commune, CommuneSuccession, District

from . import rules, services
from .models import CycleStatus, CycleStep, Producer, ProducerKind, Product, ProductGroup, RatingLevel

REGISTERED_ON = datetime.date(2021, 6, 30)  # the demo's producers are on the map of that day

HTX, THX, DN, HO = ProducerKind.HTX, ProducerKind.THX, ProducerKind.DN, ProducerKind.HO_DKKD

# (producer, kind, commune code, [(product, QĐ 148 group, score at recognition, recognition batch)])
# Batches: the province's recognition decisions of 2019, 2020 and 2021 (before the seed notice).
BATCHES = {
    "2019": ("2051/QĐ-UBND", datetime.date(2019, 12, 27)),
    "2020": ("1236/QĐ-UBND", datetime.date(2020, 12, 18)),
    "2021": ("965/QĐ-UBND", datetime.date(2021, 6, 11)),
}
PRODUCERS = [
    ("HTX Nông nghiệp Thanh Xương", HTX, "03334", [
        ("Gạo Séng Cù Điện Biên", "I.2.a", 66, "2019"),
        ("Gạo tám thơm Điện Biên", "I.2.a", 63, "2019"),
    ]),
    ("HTX Dịch vụ nông nghiệp Sam Mứn", HTX, "03355", [
        ("Gạo nếp cái hoa vàng Sam Mứn", "I.2.a", 58, "2020"),
        ("Gạo nếp Tan Điện Biên", "I.2.a", 61, "2021"),
    ]),
    ("Công ty TNHH Gạo sạch Điện Biên", DN, "03343", [
        ("Gạo Séng Cù hữu cơ Thanh An", "I.2.a", 74, "2020"),
        ("Bún gạo Điện Biên", "I.3.b", 57, "2021"),
    ]),
    ("Tổ hợp tác sản xuất rượu Pom Lót", THX, "03356", [
        ("Rượu nếp Pom Lót", "II.1.a", 55, "2021"),
    ]),
    ("Công ty Cổ phần Cà phê Điện Biên", DN, "03127", [
        ("Cà phê rang xay Điện Biên", "I.6", 76, "2019"),
        ("Thịt trâu gác bếp Mường Thanh", "I.3.d", 68, "2019"),
    ]),
    ("Hộ kinh doanh Lò Thị Xuân", HO, "03136", [
        ("Chẩm chéo Điện Biên", "I.4.a", 54, "2020"),
        ("Mắc khén rừng Điện Biên", "I.4.b", 59, "2020"),
    ]),
    ("HTX Sản xuất và chế biến nông sản Nà Nhạn", HTX, "03317", [
        ("Măng khô Nà Nhạn", "I.3.c", 52, "2021"),
    ]),
    ("HTX Nông lâm nghiệp Lay Nưa", HTX, "03184", [
        ("Mật ong Lay Nưa", "I.2.b", 62, "2020"),
        ("Cá sông Đà sấy khô", "I.3.d", 51, "2021"),
    ]),
    ("HTX Nuôi ong Mường Nhé", HTX, "03160", [
        ("Mật ong rừng Mường Nhé", "I.2.b", 71, "2019"),
        ("Thảo quả sấy khô Mường Nhé", "I.4.b", 53, "2021"),
    ]),
    ("HTX Nông nghiệp Mường Mươn", HTX, "03202", [
        ("Măng khô Mường Chà", "I.3.c", 56, "2020"),
        ("Gừng khô Mường Chà", "I.4.b", 52, "2021"),
    ]),
    ("Tổ hợp tác rượu men lá Sa Lông", THX, "03197", [
        ("Rượu men lá Sa Lông", "II.1.a", 57, "2020"),
    ]),
    ("HTX Chè shan tuyết Tủa Chùa", HTX, "03217", [
        ("Chè shan tuyết Tủa Chùa", "I.5.a", 78, "2019"),
        ("Trà shan tuyết cổ thụ Tả Phìn", "I.5.a", 72, "2020"),
    ]),
    ("HTX Chè Sín Chải", HTX, "03223", [
        ("Trà shan tuyết Xín Chải", "I.5.a", 65, "2020"),
    ]),
    ("Hộ kinh doanh Giàng A Dình", HO, "03235", [
        ("Rượu ngô Tủa Chùa", "II.1.a", 58, "2021"),
    ]),
    ("HTX Dong riềng Tuần Giáo", HTX, "03253", [
        ("Miến dong Tuần Giáo", "I.3.c", 64, "2019"),
    ]),
    ("HTX Nông nghiệp Quài Nưa", HTX, "03274", [
        ("Gạo nếp Quài Nưa", "I.2.a", 55, "2020"),
        ("Tỏi tía Tuần Giáo", "I.4.b", 60, "2020"),
    ]),
    ("Hộ kinh doanh Quàng Văn Hặc", HO, "03260", [
        ("Thịt lợn đen gác bếp Rạng Đông", "I.3.d", 53, "2021"),
    ]),
    ("HTX Chè Phình Giàng", HTX, "03382", [
        ("Chè shan tuyết Phình Giàng", "I.5.a", 62, "2020"),
    ]),
    ("Tổ hợp tác mật ong Háng Lìa", THX, "03385", [
        ("Mật ong bạc hà Háng Lìa", "I.2.b", 56, "2021"),
        ("Rượu ngô Háng Lìa", "II.1.a", 51, "2021"),
    ]),
    ("HTX Cà phê Mường Ảng", HTX, "03256", [
        ("Cà phê Mường Ảng", "I.6", 82, "2019"),
        ("Cà phê bột nguyên chất Ẳng Nưa", "I.6", 73, "2020"),
    ]),
    ("Công ty TNHH Cà phê Ẳng Cang", DN, "03310", [
        ("Cà phê hạt rang Ẳng Cang", "I.6", 67, "2020"),
    ]),
    ("HTX Dược liệu Búng Lao", HTX, "03301", [
        ("Cao dược liệu Búng Lao", "III.1", 54, "2021"),
    ]),
    ("Tổ hợp tác thảo dược Dao Nậm Pồ", THX, "03171", [
        ("Thuốc tắm thảo dược người Dao Nậm Pồ", "III.3", 57, "2021"),
    ]),
]
# Not yet rated: products the districts put forward for the next cycle (seed: "sản phẩm tiềm năng").
POTENTIAL = [
    ("HTX Nông nghiệp Thanh Xương", "Gạo lứt Séng Cù", "I.2.a"),
    ("HTX Chè shan tuyết Tủa Chùa", "Hồng trà shan tuyết Tủa Chùa", "I.5.a"),
    ("HTX Nuôi ong Mường Nhé", "Sâm đất Mường Nhé", "III.3"),
]
# Re-evaluations under QĐ 148 after the first certificates ran out, as (product, score, months before
# the load day). 35 months ago → the certificate expires within the coming month; 34 months and a half
# ago → in about 45 days (both within 90 days); the others stay valid for a year or more.
RE_EVALUATIONS = [
    ("Gạo Séng Cù Điện Biên", 75, 20),
    ("Gạo tám thơm Điện Biên", 64, 35),
    ("Gạo Séng Cù hữu cơ Thanh An", 78, 14),
    ("Cà phê rang xay Điện Biên", 79, 26),
    ("Thịt trâu gác bếp Mường Thanh", 66, 34),
    ("Mắc khén rừng Điện Biên", 61, 18),
    ("Mật ong Lay Nưa", 63, 22),
    ("Mật ong rừng Mường Nhé", 72, 30),
    ("Măng khô Mường Chà", 58, 12),
    ("Chè shan tuyết Tủa Chùa", 84, 16),
    ("Trà shan tuyết cổ thụ Tả Phìn", 73, 35),
    ("Trà shan tuyết Xín Chải", 66, 8),
    ("Miến dong Tuần Giáo", 65, 24),
    ("Tỏi tía Tuần Giáo", 62, 10),
    ("Chè shan tuyết Phình Giàng", 60, 6),
    ("Cà phê Mường Ảng", 86, 28),
    ("Cà phê bột nguyên chất Ẳng Nưa", 74, 34),
    ("Cao dược liệu Búng Lao", 56, 4),
    ("Thuốc tắm thảo dược người Dao Nậm Pồ", 59, 9),
]
FLAGSHIPS = {
    "094": "Cà phê rang xay Điện Biên",
    "095": "Mật ong Lay Nưa",
    "096": "Mật ong rừng Mường Nhé",
    "097": "Măng khô Mường Chà",
    "098": "Chè shan tuyết Tủa Chùa",
    "099": "Miến dong Tuần Giáo",
    "100": "Gạo Séng Cù Điện Biên",
    "101": "Chè shan tuyết Phình Giàng",
    "102": "Cà phê Mường Ảng",
    "103": "Thuốc tắm thảo dược người Dao Nậm Pồ",
}
# 2021 cycle per district: how many steps were done, and whether the next one was under way (the seed:
# most districts did not follow all six steps).
CYCLE_2021 = {
    "094": (4, True), "095": (2, True), "096": (1, True), "097": (2, False), "098": (3, True),
    "099": (2, True), "100": (5, True), "101": (1, False), "102": (4, True), "103": (1, True),
}
STEP_DONE_DATES = [
    datetime.date(2021, 3, 31), datetime.date(2021, 5, 28), datetime.date(2021, 7, 30),
    datetime.date(2021, 9, 30), datetime.date(2021, 11, 26), datetime.date(2021, 12, 24),
]


def _parts(score: Decimal, regime: str) -> dict[str, Decimal]:
    """Split a total into parts A/B/C in proportion to the regime's maxima (each within its maximum)."""
    maxima = rules.part_maxima(regime)
    part_a = (score * maxima["A"] / 100).quantize(Decimal("0.01"))
    part_b = (score * maxima["B"] / 100).quantize(Decimal("0.01"))
    return {"part_a": part_a, "part_b": part_b, "part_c": score - part_a - part_b}


def _months_before(day: datetime.date, months: int) -> datetime.date:
    return rules.add_months(day, -months)


def _staff() -> User:
    staff = User.objects.filter(role=Role.PROVINCE_STAFF).order_by("pk").first()
    if staff is None:
        staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    return staff


def _rate(product, *, by, score: int, number: str, day: datetime.date, note: str = ""):
    total = Decimal(score)
    services.rating_record(
        product=product, by=by, score=total, level=RatingLevel.PROVINCE, decision_number=number,
        decision_date=day, note=note, **_parts(total, rules.regime_for(day)),
    )


def load(stdout):
    services.product_groups_load()
    staff = _staff()
    if staff is None or not District.objects.filter(code="100", province__code="11").exists():
        stdout.write("OCOP: bỏ qua (chưa có đơn vị hành chính hoặc cán bộ tỉnh).")
        return
    today = rules.programme_today()
    groups = {g.code: g for g in ProductGroup.objects.filter(regime=rules.REGIME_148)}
    # The producers were registered in 2019-2021, on the map of then (codes are reused after 01/07/2025).
    old_map = Q(valid_from__isnull=True) | Q(valid_from__lte=REGISTERED_ON)
    old_map &= Q(valid_to__isnull=True) | Q(valid_to__gte=REGISTERED_ON)
    communes = {c.code: c for c in Commune.objects.filter(old_map).select_related("province", "district")}
    created_products = 0
    products: dict[str, Product] = {}
    producers: dict[str, Producer] = {}
    for producer_name, kind, commune_code, items in PRODUCERS:
        commune = communes[commune_code]
        # Where it was registered, or where the 2025 reform moved it (a second run finds it there).
        producer = Producer.objects.filter(Q(commune=commune) | Q(unit_moves__from_commune=commune),
                                           name=producer_name).distinct().first()
        if producer is None:
            producer = services.producer_create(by=staff, name=producer_name, kind=kind, commune=commune)
        producers[producer_name] = producer
        for name, group_code, score, batch in items:
            product = Product.objects.filter(producer=producer, name=name).first()
            if product is None:
                product = services.product_create(
                    by=staff, name=name, group=groups[group_code], producer=producer, commune=commune,
                    description="Tên sản phẩm mang tính minh họa (dữ liệu mẫu).",
                    traceability_code=f"DB-OCOP-{commune_code}-{len(products) + 1:03d}",
                )
                number, day = BATCHES[batch]
                _rate(product, by=staff, score=score, number=number, day=day, note="Công nhận sản phẩm OCOP cấp tỉnh.")
                created_products += 1
            products[name] = product
    for index, (name, score, months) in enumerate(RE_EVALUATIONS):
        product = products[name]
        day = _months_before(today, months)
        if months == 34:
            day -= datetime.timedelta(days=15)
        number = f"{300 + index * 17}/QĐ-UBND"
        if not product.ratings.filter(decision_number=number).exists():
            _rate(product, by=staff, score=score, number=number, day=day, note="Đánh giá lại theo QĐ 148/QĐ-TTg.")
    for producer_name, name, group_code in POTENTIAL:
        producer = producers[producer_name]
        if not Product.objects.filter(producer=producer, name=name).exists():
            services.product_create(
                by=staff, name=name, group=groups[group_code], producer=producer, commune=producer.commune,
                is_potential=True, description="Sản phẩm tiềm năng (dữ liệu mẫu).",
            )
    for name in FLAGSHIPS.values():
        product = Product.objects.get(pk=products[name].pk)
        # A product the 2025 reform moved to a commune directly under the province keeps its flagship mark only
        # as history (UnitMove.was_flagship): there is no district to be the flagship of.
        if product.unit_moves.exists():
            continue
        if not product.is_district_flagship and product.current_stars in rules.CERTIFIED_STARS:
            services.product_set_flagship(product=product, by=staff, is_flagship=True)
    steps_set = 0
    for district in District.objects.filter(province__code="11", code__in=CYCLE_2021):
        done, next_in_progress = CYCLE_2021[district.code]
        for step in range(1, 7):
            if CycleStep.objects.filter(district=district, year=2021, step=step).exists():
                continue
            if step <= done:
                status, date = CycleStatus.DONE, STEP_DONE_DATES[step - 1]
            elif step == done + 1 and next_in_progress:
                status, date = CycleStatus.IN_PROGRESS, STEP_DONE_DATES[step - 2] if step > 1 else None
            else:
                status, date = CycleStatus.NOT_STARTED, None
            services.cycle_step_set(district=district, year=2021, step=step, status=status, date=date, by=staff)
            steps_set += 1
    # Producers follow the 2025 reform's lineage (the reform was imported before the producers existed).
    successions = list(CommuneSuccession.objects.filter(predecessor__in=list(communes.values())))
    moved = {"producers": 0, "products": 0}
    for effective_date in sorted({s.effective_date for s in successions}):
        batch = [s for s in successions if s.effective_date == effective_date]
        result = services.move_by_lineage(successions=batch, effective_date=effective_date,
                                          decision=batch[0].decision)
        moved = {key: moved[key] + result[key] for key in moved}
    if moved["producers"] or moved["products"]:
        stdout.write(f"OCOP: {moved['producers']} chủ thể, {moved['products']} sản phẩm chuyển về xã mới theo "
                     "sắp xếp đơn vị hành chính 2025.")
    stdout.write(
        f"OCOP: {created_products} sản phẩm được công nhận mới, {len(products)} sản phẩm mẫu, "
        f"{steps_set} bước chu trình 2021 mới."
    )
