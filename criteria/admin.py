"""Read-only admin for the catalogue and assessments: every write goes through the pages, the API, Excel or
import_criteria (criteria.services), so the admin only lets province staff and admins look."""

from django.contrib import admin

from accounts.admin_base import ScopedReadOnlyAdmin
from accounts.scope import can_review_assessments

from .models import (
    Assessment,
    CatalogueChange,
    CommuneGroupAssignment,
    CriteriaSet,
    CriteriaSetVersion,
    GroupDecision,
    Indicator,
    Reevaluation,
    ValueHistory,
)


class ReadOnlyAdmin(ScopedReadOnlyAdmin):
    can_view = staticmethod(can_review_assessments)


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "decision", "decision_date", "classification", "version"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "criteria_set", "value_type", "comparator", "is_verified"]
    list_filter = ["criteria_set", "value_type", "is_verified"]
    list_select_related = ["criteria_set"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["commune", "period", "criteria_set", "status", "met_count", "basically_met_count", "version"]
    list_filter = ["period", "criteria_set", "status"]
    list_select_related = ["commune", "criteria_set"]
    search_fields = ["commune__code", "commune__name"]


@admin.register(ValueHistory)
class ValueHistoryAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "indicator", "old", "new", "user", "at", "source"]
    list_select_related = ["assessment__commune", "indicator", "user"]


@admin.register(CatalogueChange)
class CatalogueChangeAdmin(ReadOnlyAdmin):
    list_display = ["criteria_set", "indicator", "field", "old", "new", "user", "at"]
    list_select_related = ["criteria_set", "indicator", "user"]


@admin.register(CriteriaSetVersion)
class CriteriaSetVersionAdmin(ReadOnlyAdmin):
    list_display = ["criteria_set", "number", "published_by", "published_at"]
    list_select_related = ["criteria_set", "published_by"]


@admin.register(GroupDecision)
class GroupDecisionAdmin(ReadOnlyAdmin):
    list_display = ["number", "date", "issuer", "is_illustrative"]


@admin.register(CommuneGroupAssignment)
class CommuneGroupAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["commune", "criteria_set", "group", "from_period", "to_period", "decision", "set_at"]
    list_select_related = ["commune", "criteria_set", "decision"]


@admin.register(Reevaluation)
class ReevaluationAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "from_version", "to_version", "old_met_count", "new_met_count", "user", "at"]
    list_select_related = ["assessment__commune", "user"]
