"""Admin for OCOP: read-only views for province staff and admins.

Every change goes through the app's pages or API, whose services validate and keep the derived
values (current stars, certificate expiry, the one flagship per district) right.
"""

from django.contrib import admin

from accounts.admin_base import ScopedReadOnlyAdmin
from accounts.scope import can_manage_master_data

from .models import CycleStep, Producer, Product, ProductGroup, Rating


class ReadOnlyAdmin(ScopedReadOnlyAdmin):
    can_view = staticmethod(can_manage_master_data)


@admin.register(ProductGroup)
class ProductGroupAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "regime", "parent", "set_number", "is_selectable")
    list_filter = ("regime", "is_selectable")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Producer)
class ProducerAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "commune", "tax_code")
    list_filter = ("kind", "commune__district")
    search_fields = ("name", "tax_code")
    list_select_related = ("commune",)


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ("decision_number", "decision_date", "level", "score", "stars", "certificate_expires", "revoked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("name", "producer", "commune", "district", "current_stars", "certificate_expires", "is_district_flagship")
    list_filter = ("current_stars", "district", "is_district_flagship", "is_potential")
    search_fields = ("name", "producer__name", "traceability_code")
    list_select_related = ("producer", "commune", "district")
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("product", "decision_number", "decision_date", "level", "score", "stars", "certificate_expires")
    list_filter = ("stars", "level", "regime")
    search_fields = ("product__name", "decision_number")
    list_select_related = ("product",)


@admin.register(CycleStep)
class CycleStepAdmin(ReadOnlyAdmin):
    list_display = ("district", "year", "step", "status", "date")
    list_filter = ("year", "status", "district")
    list_select_related = ("district",)
