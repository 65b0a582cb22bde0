"""API shapes for criteria sets and assessments (API.md "Criteria"). Input serializers check shape only;
the rules live in ``criteria.services``."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors
from ..models import ValueType


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value_type = serializers.CharField()
    unit = serializers.CharField()
    comparator = serializers.SerializerMethodField(help_text="null: judged (no threshold known or set)")
    thresholds = serializers.SerializerMethodField(help_text="region code (or group code for a group set) → threshold")
    requirement_text = serializers.CharField()
    risk_margin = serializers.SerializerMethodField()
    is_verified = serializers.BooleanField()
    placeholder = serializers.BooleanField(
        source="is_placeholder", help_text="true: chưa có chỉ tiêu chính thức — one judged indicator for the whole criterion"
    )
    evidence_required = serializers.BooleanField()
    source = serializers.SerializerMethodField(help_text="{document, date, quote} of the indicator's text and thresholds")

    def _thresholds(self, indicator):
        # the prefetch (criteria → indicators) caches indicator.criterion and criterion.criteria_set: no query
        return selectors.thresholds_by_region(indicator, indicator.criterion.criteria_set)

    def get_comparator(self, indicator) -> str | None:
        return indicator.comparator if self._thresholds(indicator) else None

    def get_thresholds(self, indicator) -> dict[str, float]:
        return {key: selectors.number_out(value) for key, value in self._thresholds(indicator).items()}

    def get_source(self, indicator) -> dict:
        return {
            "document": indicator.source_document,
            "date": indicator.source_date.isoformat() if indicator.source_date else None,
            "quote": indicator.source_quote,
        }

    def get_risk_margin(self, indicator) -> float | None:
        return selectors.number_out(indicator.risk_margin)


class CriterionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    group = serializers.CharField(source="group_code")
    is_verified = serializers.BooleanField()
    indicators = IndicatorSerializer(many=True, source="indicators.all")


class CriteriaSetSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    decision = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    effective_from = serializers.DateField(allow_null=True)
    effective_to = serializers.DateField(allow_null=True)
    criteria_count = serializers.SerializerMethodField()
    classification = serializers.CharField()
    groups = serializers.SerializerMethodField()
    levels = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    criteria = CriterionSerializer(many=True, source="criteria.all")

    def get_groups(self, criteria_set) -> list[dict]:
        return [{"code": g.get("code"), "name": g.get("name_vi", "")} for g in criteria_set.groups or []]

    def get_levels(self, criteria_set) -> list[dict]:
        return [{"code": lv.get("code"), "name": lv.get("name_vi", "")} for lv in criteria_set.levels or []]

    def get_criteria_count(self, criteria_set) -> int:
        return len(criteria_set.criteria.all())


class ValueInputSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    met = serializers.JSONField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AssessmentInputSerializer(serializers.Serializer):
    criteria_set = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    values = ValueInputSerializer(many=True)


class ActionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    criteria_set = serializers.CharField(required=False, allow_blank=True)


class CriterionStateSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    met = serializers.BooleanField()
    note = serializers.CharField()


class ValueStateSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    note = serializers.CharField()
    judged = serializers.BooleanField()
    comparator = serializers.CharField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    at_risk = serializers.BooleanField()
    evidence_url = serializers.CharField(allow_null=True)
    placeholder = serializers.BooleanField()
    evidence_required = serializers.BooleanField()


class AssessmentDocumentSerializer(serializers.Serializer):
    """The assessment document of API.md, with a few extra fields (names, region, comment)."""

    commune = serializers.CharField()
    commune_name = serializers.CharField()
    period = serializers.CharField()
    criteria_set = serializers.CharField()
    region = serializers.CharField(allow_null=True, help_text="the key thresholds were taken for: region, or commune group")
    classification = serializers.CharField()
    set_version = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    met_count = serializers.IntegerField()
    basically_met_count = serializers.IntegerField()
    return_comment = serializers.CharField()
    criteria = CriterionStateSerializer(many=True)
    values = ValueStateSerializer(many=True)


def _value_out(row: selectors.IndicatorRow):
    value = row.value
    if value is None:
        return None
    if row.indicator.value_type == ValueType.BOOLEAN:
        return value.value_bool
    return selectors.number_out(value.value_number)


def assessment_document(view: selectors.AssessmentView) -> dict:
    """The API document of one assessment, from ``selectors.assessment_view`` (no further queries)."""
    assessment = view.assessment
    return {
        "commune": view.commune.code,
        "commune_name": view.commune.name,
        "period": assessment.period,
        "criteria_set": view.catalogue.criteria_set.code,
        "region": view.class_key,
        "classification": view.catalogue.criteria_set.classification,
        "set_version": assessment.set_version,
        "status": assessment.status,
        "version": assessment.version,
        "met_count": assessment.met_count,
        "basically_met_count": assessment.basically_met_count,
        "return_comment": assessment.return_comment,
        "criteria": [
            {
                "number": block.criterion.number,
                "name": block.criterion.name,
                "status": block.status,
                "met": block.is_met,
                "note": block.result.basically_met_note if block.result else "",
            }
            for block in view.blocks
        ],
        "values": [
            {
                "indicator": row.indicator.code,
                "value": _value_out(row),
                "met": row.is_met,
                "note": row.value.note if row.value else "",
                "judged": row.judged,
                "comparator": row.comparator,
                "threshold": selectors.number_out(row.threshold),
                "at_risk": row.at_risk,
                "evidence_url": reverse("criteria:evidence-download", args=[row.value.pk])
                if row.value is not None and row.value.evidence
                else None,
                "placeholder": row.indicator.is_placeholder,
                "evidence_required": row.indicator.evidence_required,
            }
            for row in view.rows
        ],
    }


class HistorySerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    old = serializers.SerializerMethodField()
    new = serializers.SerializerMethodField()
    old_met = serializers.BooleanField(allow_null=True)
    new_met = serializers.BooleanField(allow_null=True)
    old_note = serializers.CharField()
    new_note = serializers.CharField()
    user = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    source = serializers.CharField()

    @extend_schema_field(OpenApiTypes.ANY)
    def get_old(self, row):
        return selectors.history_value(row.indicator, row.old)

    @extend_schema_field(OpenApiTypes.ANY)
    def get_new(self, row):
        return selectors.history_value(row.indicator, row.new)

    def get_user(self, row) -> str | None:
        return row.user.username if row.user else None


class CommuneGroupSerializer(serializers.Serializer):
    commune = serializers.CharField(source="commune.code")
    criteria_set = serializers.CharField(source="criteria_set.code")
    group = serializers.CharField()
    from_period = serializers.CharField()
    to_period = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    decision_number = serializers.CharField(source="decision.number")
    decision_date = serializers.DateField(source="decision.date")
    issuer = serializers.CharField(source="decision.issuer")
    illustrative = serializers.BooleanField(source="decision.is_illustrative")
    set_at = serializers.DateTimeField()


class CommuneGroupInputSerializer(serializers.Serializer):
    commune = serializers.CharField(max_length=5)
    criteria_set = serializers.CharField(max_length=30)
    group = serializers.CharField(max_length=8)
    from_period = serializers.CharField(max_length=7)
    to_period = serializers.CharField(max_length=7, required=False, allow_blank=True)
    decision_number = serializers.CharField(max_length=60)
    decision_date = serializers.DateField()
    issuer = serializers.CharField(max_length=200)
