from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communes.models import Commune, District, Province, Recognition
from communes.periods import parse_day


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name", "region"]


class DistrictSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")

    class Meta:
        model = District
        fields = ["code", "name", "kind", "province", "valid_from", "valid_to"]


class LinkedUnitSerializer(serializers.Serializer):
    """The other end of a succession: the unit's code, name and validity, and the day the change took effect."""

    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    effective_date = serializers.DateField()


def _linked(unit, effective_date) -> dict:
    return {"code": unit.code, "name": unit.name, "valid_from": unit.valid_from, "valid_to": unit.valid_to,
            "effective_date": effective_date}


class CommuneSerializer(serializers.ModelSerializer):
    """A unit of one map: ``valid_from``/``valid_to`` (null: open) and its lineage. Needs the prefetches of
    ``communes.selectors.lineage_prefetch`` (two queries for any number of units)."""

    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    province = serializers.CharField(source="province.code")
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    class Meta:
        model = Commune
        fields = ["code", "name", "kind", "district", "province", "level", "valid_from", "valid_to",
                  "predecessors", "successors"]

    @extend_schema_field(LinkedUnitSerializer(many=True))
    def get_predecessors(self, obj):
        return [_linked(row.predecessor, row.effective_date) for row in obj.predecessions.all()]

    @extend_schema_field(LinkedUnitSerializer(many=True))
    def get_successors(self, obj):
        return [_linked(row.successor, row.effective_date) for row in obj.successions.all()]


class RecognitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recognition
        fields = ["level", "action", "decision_number", "decision_date", "issuer"]


class CommuneDetailSerializer(CommuneSerializer):
    recognitions = RecognitionSerializer(many=True, read_only=True)

    class Meta(CommuneSerializer.Meta):
        fields = CommuneSerializer.Meta.fields + ["recognitions"]


class QueryInput(serializers.Serializer):
    """Query-string filters as the schema states them: a parameter given with an empty value is a 400 (DRF
    would quietly take it for "not given"), unless its field allows blank text."""

    def to_internal_value(self, data):
        errors = {}
        for name, field in self.fields.items():
            if name in data and data.get(name) == "" and not getattr(field, "allow_blank", False):
                errors[name] = True
        if errors:
            raise serializers.ValidationError({name: [_("Tham số này không được để trống.")] for name in errors})
        return super().to_internal_value(data)


class CommuneFilterInput(QueryInput):
    district = serializers.CharField(required=False)
    province = serializers.CharField(required=False)
    level = serializers.ChoiceField(required=False, choices=["none", "basic", "standard", "advanced", "model"])
    kind = serializers.ChoiceField(required=False, choices=["xa", "phuong", "thi_tran"])
    search = serializers.CharField(required=False)


class DayField(serializers.DateField):
    """A ``YYYY-MM-DD`` query parameter: absent means "not given", but an empty ``?on=`` is a 400 (the
    schema says it is a date), where DRF would quietly take an empty query value for "not given"."""

    def get_value(self, dictionary):
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)

    def validate_empty_values(self, data):
        if data == "":
            self.fail("invalid", format="YYYY-MM-DD")
        return super().validate_empty_values(data)


class UnitDayQuery(QueryInput):
    """``?on=YYYY-MM-DD``: the day whose map resolves a unit code (default today; any day, past or future)."""

    on = DayField(required=False, help_text="YYYY-MM-DD")


class AsOfQuery(QueryInput):
    """``?on=YYYY-MM-DD``: the day a read is as of (default today; never after today)."""

    on = DayField(required=False, help_text="YYYY-MM-DD")

    def day(self, *, today):
        """The validated day, or ``today`` when none was asked for; a day after today is a 400."""
        self.is_valid(raise_exception=True)
        return parse_day(self.validated_data.get("on"), today=today) or today
