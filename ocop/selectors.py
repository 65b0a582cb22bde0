"""Reads of OCOP data, framework-free: the pages, the API, the dashboard block and the PDF report builder
all call these, so a number cannot differ between them.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.scope import producers_visible_to, products_visible_to
from communes.models import Commune, District
from communes.served import in_served_province, served_province

from . import rules
from .models import CycleStatus, CycleStep, Product, ProductGroup, Rating, UnitMove


def programme_province_code() -> str:
    """GSO code of the province this installation serves (communes.served; one query). Filters should prefer
    ``communes.served.in_served_province``, which needs no query of its own."""
    return served_province().code


def valid_on(day: datetime.date) -> Q:
    """Units valid on ``day`` (as criteria.frame.valid_on; ocop takes only a date, not a frame)."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def programme_districts():
    """The served province's districts (communes.served), ordered by code (the rows of the summary and the
    cycle board)."""
    return in_served_province(District.objects.all()).order_by("code")


def groups_in_force(*, on: datetime.date):
    """Product groups of the rating regime in force on ``on`` (QĐ 148 since 24/02/2023), parents first."""
    regime = rules.regime_for(on)
    return ProductGroup.objects.of_regime(regime).select_related("parent").order_by("position")


def selectable_groups(*, on: datetime.date):
    """Sub-groups of the regime in force on ``on`` that a product can be classified under."""
    return groups_in_force(on=on).selectable()


def _district_filter(district):
    if district is None or district == "":
        return Q()
    if isinstance(district, District):
        return Q(district=district)
    return Q(district__code=str(district))


def product_registry(
    *, user, on: datetime.date, district=None, group=None, stars=None, expiring_within_days=None, flagship=None,
    search=None,
):
    """Products the user can see, filtered, joined for a listing (one query), ordered by district and name,
    each with ``as_of_stars`` and ``as_of_expires``: its rating in force on ``on``.

    ``district``: a District or its code. ``group``: a ProductGroup (matches it and its sub-groups).
    ``stars``: stars on ``on``. ``expiring_within_days``: certified on ``on`` and expiring within that many
    days. ``flagship``: True/False for district flagships or the others. ``search``: name, producer
    name or traceability code (case-insensitive).
    """
    qs = _with_rating_as_of(products_visible_to(user).for_listing().filter(_district_filter(district)), on)
    if group is not None:
        qs = qs.filter(Q(group=group) | Q(group__parent=group) | Q(group__parent__parent=group))
    if stars not in (None, ""):
        qs = qs.filter(as_of_stars=int(stars))
    if expiring_within_days not in (None, ""):
        qs = qs.filter(
            as_of_stars__in=rules.CERTIFIED_STARS, as_of_expires__gt=on,
            as_of_expires__lte=on + datetime.timedelta(days=int(expiring_within_days)),
        )
    if flagship is not None:
        qs = qs.filter(is_district_flagship=bool(flagship))
    if search:
        text = search.strip()
        qs = qs.filter(
            Q(name__icontains=text) | Q(producer__name__icontains=text) | Q(traceability_code__iexact=text)
        )
    return qs.order_by("district__code", "name", "id")


def product_ratings(*, product):
    """A product's rating history, newest decision first, revoked ones included (one query)."""
    return product.ratings.select_related("created_by", "revoked_by").latest_first()


def producer_list(*, user, district=None, kind=None, search=None):
    """Producers the user can see, with their product counts (one query)."""
    qs = producers_visible_to(user).for_listing().annotate(product_count=Count("products"))
    if district not in (None, ""):
        qs = qs.filter(commune__district=district) if isinstance(district, District) else qs.filter(
            commune__district__code=str(district)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(Q(name__icontains=search.strip()) | Q(tax_code=search.strip()))
    return qs.order_by("name", "id")


def producer_products(*, producer):
    return producer.products.for_listing().order_by("name", "id")


def commune_products(*, commune):
    """Products registered in a commune, best rated first (one query)."""
    return (
        Product.objects.for_listing()
        .filter(commune=commune)
        .order_by("-is_district_flagship", "-current_stars", "name")
    )


# --- summary ---------------------------------------------------------------------------------------------


def _empty_stars() -> dict[str, int]:
    return {str(stars): 0 for stars in rules.CERTIFIED_STARS}


@dataclass
class DistrictSummary:
    code: str
    name: str
    products: int = 0
    by_stars: dict[str, int] = field(default_factory=_empty_stars)
    flagship: Product | None = None


@dataclass
class OcopSummary:
    """OCOP figures on a date: certified products (3–5 stars, certificate still valid) and what expires."""

    today: datetime.date
    products: int
    by_stars: dict[str, int]
    by_district: list[DistrictSummary]
    expiring_90_days: int
    expiring: list[Product]
    flagships: list[DistrictSummary]
    registered: int
    potential: int
    by_commune: list[DistrictSummary] = field(default_factory=list)  # a map without districts: per commune

    @property
    def hierarchy(self) -> str:
        return "commune" if self.by_commune else "district"

    def as_api_dict(self) -> dict:
        """The body of GET /api/v1/ocop/summary/ (API.md field names; ``as_of`` is the day counted)."""

        def product_ref(product):
            if product is None:
                return None
            return {"id": product.pk, "name": product.name, "stars": product.current_stars}

        return {
            "date": self.today.isoformat(),
            "as_of": self.today.isoformat(),
            "products": self.products,
            "by_stars": dict(self.by_stars),
            "by_district": [
                {"code": row.code, "name": row.name, "products": row.products, "by_stars": dict(row.by_stars),
                 "flagship": product_ref(row.flagship)}
                for row in self.by_district
            ],
            "expiring_90_days": self.expiring_90_days,
            "expiring": [
                {"id": product.pk, "name": product.name, "district": product.district.code if product.district else None,
                 "stars": product.as_of_stars, "certificate_expires": product.as_of_expires.isoformat()}
                for product in self.expiring
            ],
            "flagships": [{"district": row.code, "product": product_ref(row.flagship)} for row in self.flagships],
            "registered": self.registered,
            "potential": self.potential,
            # Added with the 2025 reform: on a map without districts, the figures per commune.
            "hierarchy": self.hierarchy,
            "by_commune": [
                {"code": row.code, "name": row.name, "products": row.products, "by_stars": dict(row.by_stars)}
                for row in self.by_commune
            ],
        }


def _with_rating_as_of(queryset, day: datetime.date):
    """Annotate each product with the stars and expiry of its latest rating in force on ``day``: decided on or
    before it and not revoked by the end of it.

    For today this equals the stored ``current_stars``/``certificate_expires``; for a past day (a report's
    cut-off date) it ignores later decisions and later revocations, so a 2021 figure stays a 2021 figure.
    """
    from django.utils import timezone

    end_of_day = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min), rules.PROGRAMME_TZ
    )
    latest = (
        Rating.objects.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end_of_day))
        .filter(product=OuterRef("pk"), decision_date__lte=day)
        .order_by("-decision_date", "-id")
    )
    return queryset.annotate(
        as_of_stars=Subquery(latest.values("stars")[:1]),
        as_of_expires=Subquery(latest.values("certificate_expires")[:1]),
    )


def ocop_summary(*, on: datetime.date, district=None) -> OcopSummary:
    """OCOP figures of the province (or one district) as they stood on ``on`` (a report's or page's cut-off).

    Certified on a day = the latest rating in force then has 3–5 stars and its certificate has not expired
    (expiry date after that day), with the stars it had then. ``expiring`` lists certified products whose
    certificate expires within 90 days of that day (day 90 included), soonest first, each with
    ``as_of_stars``/``as_of_expires``. Registered and potential counts and flagships are today's (products
    carry no registration date). Five queries whatever the number of products: districts, counts by
    district × stars, registered/potential, the expiring list, flagships.
    """
    today = on
    districts = programme_districts()
    if district not in (None, ""):
        districts = districts.filter(pk=district.pk) if isinstance(district, District) else districts.filter(
            code=str(district)
        )
    rows = {d.pk: DistrictSummary(code=d.code, name=d.name) for d in districts.filter(valid_on(today))}  # query 1
    # Where each product was on that day: a product the 2025 reform moved (UnitMove dated after the day) is
    # counted at the unit and district it was registered at then, so a 2021 report keeps its districts.
    later_moves = UnitMove.objects.filter(product=OuterRef("pk"), date__gt=today).order_by("date")
    # Aliases, not annotations: each query selects only what it reads (the grouping unit, the flagship's
    # district), so the SQL carries these subqueries where they are used, not in every SELECT as well.
    in_scope = in_served_province(Product.objects.all(), "commune__province").alias(
        commune_then=Coalesce(Subquery(later_moves.values("from_commune_id")[:1]), F("commune_id"),
                              output_field=BigIntegerField()),
        district_then=Coalesce(Subquery(later_moves.values("from_commune__district_id")[:1]), F("district_id"),
                               output_field=BigIntegerField()),
        flagship_then=Exists(later_moves.filter(was_flagship=True)),
    )
    if district not in (None, ""):
        in_scope = in_scope.filter(district_then__in=list(rows))
    # On a map without districts (from 01/07/2025) the rows are the communes valid that day (one more query).
    unit_rows = {} if rows or district not in (None, "") else {
        c.pk: DistrictSummary(code=c.code, name=c.name)
        for c in in_served_province(Commune.objects.filter(valid_on(today))).order_by("code")
    }
    group_by = "commune_then" if unit_rows else "district_then"
    certified = _with_rating_as_of(in_scope, today).filter(
        as_of_stars__in=rules.CERTIFIED_STARS, as_of_expires__gt=today
    )
    by_stars = _empty_stars()
    total = 0
    for item in certified.annotate(area=F(group_by)).values("area", "as_of_stars").annotate(n=Count("id")).order_by():  # query 2
        stars, count = str(item["as_of_stars"]), item["n"]
        total += count
        by_stars[stars] += count
        row = (unit_rows or rows).get(item["area"])
        if row is not None:
            row.products += count
            row.by_stars[stars] += count
    counts = in_scope.aggregate(registered=Count("id"), potential=Count("id", filter=Q(is_potential=True)))  # query 3
    expiring = list(  # query 4
        certified.filter(as_of_expires__lte=today + datetime.timedelta(days=rules.EXPIRING_SOON_DAYS))
        .for_listing()
        .order_by("as_of_expires", "name", "id")
    )
    flagships = in_scope.filter(Q(is_district_flagship=True, district_then=F("district_id")) | Q(flagship_then=True))
    for product in flagships.annotate(flagship_of=F("district_then")).for_listing():  # query 5
        if product.flagship_of in rows:
            rows[product.flagship_of].flagship = product
    by_district = list(rows.values())
    return OcopSummary(
        today=today, products=total, by_stars=by_stars, by_district=by_district,
        expiring_90_days=len(expiring), expiring=expiring, flagships=by_district,
        registered=counts["registered"], potential=counts["potential"], by_commune=list(unit_rows.values()),
    )


# --- annual cycle ----------------------------------------------------------------------------------------


@dataclass
class CycleCell:
    step: int
    status: str
    status_label: str
    date: datetime.date | None = None
    note: str = ""


@dataclass
class CycleRow:
    district: District
    cells: list[CycleCell]
    done: int


@dataclass
class CycleBoard:
    year: int
    steps: tuple
    rows: list[CycleRow]
    done_by_step: list[int]


def cycle_board(*, year: int) -> CycleBoard:
    """The province's districts × the six steps of the annual cycle for a year (two queries).

    A step nobody has recorded yet shows as "not started".
    """
    steps = rules.cycle_steps()
    districts = list(programme_districts())
    recorded = {
        (item.district_id, item.step): item
        for item in CycleStep.objects.filter(year=year, district__in=[d.pk for d in districts])
    }
    labels = dict(CycleStatus.choices)
    rows, done_by_step = [], [0] * len(steps)
    for district in districts:
        cells = []
        for index, info in enumerate(steps):
            item = recorded.get((district.pk, info.number))
            status = item.status if item else CycleStatus.NOT_STARTED
            if status == CycleStatus.DONE:
                done_by_step[index] += 1
            cells.append(
                CycleCell(
                    step=info.number, status=status, status_label=labels[status],
                    date=item.date if item else None, note=item.note if item else "",
                )
            )
        rows.append(CycleRow(district=district, cells=cells, done=sum(c.status == CycleStatus.DONE for c in cells)))
    return CycleBoard(year=year, steps=steps, rows=rows, done_by_step=done_by_step)


def cycle_step_current(*, district, year: int, step: int) -> CycleCell:
    """One cell of the board (for the edit form and its HTMX fragment)."""
    item = CycleStep.objects.filter(district=district, year=year, step=step).first()
    status = item.status if item else CycleStatus.NOT_STARTED
    return CycleCell(
        step=step, status=status, status_label=dict(CycleStatus.choices)[status],
        date=item.date if item else None, note=item.note if item else "",
    )


def unit_moves(*, product):
    """Where a product was registered before a reform moved it (one query): UnitMove rows, oldest first, each
    with its old unit and that unit's district."""
    return list(product.unit_moves.select_related("from_commune__district", "to_commune").order_by("date", "id"))
