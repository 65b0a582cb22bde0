"""Input serializers check shape only (services own the rules); output serializers follow API.md."""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communes.api.serializers import DayField, QueryInput
from communes.models import Commune
from ocop import rules, selectors
from ocop.models import Producer, ProducerKind, Product, ProductGroup, Rating, RatingLevel
from ocop.qr import public_url


class GroupSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    selectable = serializers.BooleanField(source="is_selectable")

    class Meta:
        model = ProductGroup
        fields = ["code", "name", "name_en", "regime", "parent", "selectable", "set_number"]


class CommuneCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": _("Không có xã mã {value}.")})
        super().__init__(slug_field="code", queryset=Commune.objects.select_related("province", "district"), **kwargs)


class GroupCodeField(serializers.SlugRelatedField):
    """A group code of the regime in force (e.g. "I.5.a")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": _("Không có nhóm sản phẩm mã {value} trong bộ tiêu chí đang áp dụng.")})
        super().__init__(slug_field="code", queryset=ProductGroup.objects.none(), **kwargs)

    def get_queryset(self):
        return selectors.groups_in_force(on=rules.programme_today())


class ProducerSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.code")
    district = serializers.CharField(source="commune.district.code", allow_null=True, default=None)

    class Meta:
        model = Producer
        fields = ["id", "name", "kind", "commune", "district", "tax_code", "address", "contact_person", "contact_phone"]


class ProducerInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ProducerKind.choices)
    commune = CommuneCodeField()
    tax_code = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    contact_person = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ProductSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.code")
    group_name = serializers.CharField(source="group.name")
    producer = serializers.IntegerField(source="producer_id")
    producer_name = serializers.CharField(source="producer.name")
    commune = serializers.CharField(source="commune.code")
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    stars = serializers.SerializerMethodField()
    certificate_expires = serializers.SerializerMethodField()
    flagship = serializers.BooleanField(source="is_district_flagship")
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "name", "group", "group_name", "producer", "producer_name", "commune", "district", "stars",
            "certificate_expires", "flagship", "is_potential", "traceability_code", "public_url", "version",
        ]

    def get_public_url(self, product) -> str:
        return public_url(product)

    def get_stars(self, product) -> int | None:
        """Stars on the list's ``on`` day (registry lists annotate them), else the current stars."""
        return getattr(product, "as_of_stars", product.current_stars)

    def get_certificate_expires(self, product) -> datetime.date | None:
        return getattr(product, "as_of_expires", product.certificate_expires)


class ProductInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    group = GroupCodeField()
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.select_related("commune"))
    commune = CommuneCodeField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_potential = serializers.BooleanField(required=False, default=False)
    traceability_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    flagship = serializers.BooleanField(required=False, default=False)
    photo = serializers.ImageField(required=False, allow_null=True, default=None)


class ProductFilterInput(QueryInput):
    district = serializers.CharField(required=False)
    stars = serializers.IntegerField(required=False, min_value=1, max_value=5)
    group = GroupCodeField(required=False)
    flagship = serializers.BooleanField(required=False, allow_null=True, default=None)
    expiring_within_days = serializers.IntegerField(required=False, min_value=0, max_value=3650)
    search = serializers.CharField(required=False)
    on = DayField(required=False, help_text="YYYY-MM-DD: stars and certificates as they stood that day")


class RatingSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    revoked = serializers.BooleanField(source="is_revoked")

    class Meta:
        model = Rating
        fields = [
            "id", "product", "regime", "score", "part_a", "part_b", "part_c", "stars", "level", "decision_number",
            "decision_date", "certificate_expires", "note", "created_by", "created_at", "revoked", "revoke_reason",
        ]
        extra_kwargs = {field: {"coerce_to_string": False} for field in ("score", "part_a", "part_b", "part_c")}


class RatingInput(serializers.Serializer):
    score = serializers.DecimalField(max_digits=12, decimal_places=6)
    stars = serializers.IntegerField(required=False, allow_null=True, default=None)
    part_a = serializers.DecimalField(max_digits=12, decimal_places=6, required=False, allow_null=True, default=None)
    part_b = serializers.DecimalField(max_digits=12, decimal_places=6, required=False, allow_null=True, default=None)
    part_c = serializers.DecimalField(max_digits=12, decimal_places=6, required=False, allow_null=True, default=None)
    level = serializers.ChoiceField(choices=RatingLevel.choices)
    decision_number = serializers.CharField(max_length=60)
    decision_date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProductDetailSerializer(ProductSerializer):
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = ProductSerializer.Meta.fields + ["description", "ratings"]
