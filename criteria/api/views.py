"""Criteria API (API.md "Criteria"): parse, fetch through accounts.scope, call one service or selector, present."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import get_assessment_for_read, get_commune_for_read, get_commune_for_write
from communes.periods import is_valid_period, parse_period

from .. import selectors
from ..frame import build_frame
from ..services import assessments as services
from .serializers import (
    ActionInputSerializer,
    AssessmentDocumentSerializer,
    AssessmentInputSerializer,
    CommuneGroupInputSerializer,
    CommuneGroupSerializer,
    CriteriaSetSerializer,
    HistorySerializer,
    assessment_document,
)

SET_PARAMETER = OpenApiParameter("criteria_set", str, description="set code; default: the period's set")


def _period_or_404(period: str) -> str:
    if not is_valid_period(period):
        raise Http404(_("Không tìm thấy."))
    return parse_period(period).code


def map_day(period: str):
    """The day whose map resolves a commune code for a period: the frame's map date (the period's last day)."""
    return parse_period(period).end


def _document(user, commune, assessment) -> dict:
    catalogue = selectors.catalogue_for_set(assessment.criteria_set)
    view = selectors.assessment_view(commune=commune, period=assessment.period, catalogue=catalogue, assessment=assessment)
    return assessment_document(view)


def _frame(commune, period: str, set_code: str | None):
    """The frame every assessment route resolves the same way (GET, PUT and the workflow reach one assessment):
    the commune, the period and the period's set, or ``criteria_set`` when given."""
    frame = build_frame(
        period=period, today=timezone.localdate(), criteria_set=set_code or None, province=commune.province,
        communes=[commune],
    )
    if frame.criteria_set is None:
        raise ValidationError({"criteria_set": [_("Chưa có bộ tiêu chí nào áp dụng cho kỳ %(period)s.") % {"period": period}]})
    return frame


def _find(request, code: str, period: str, set_code: str | None):
    period = _period_or_404(period)
    commune = get_commune_for_read(request.user, code, map_day(period))
    frame = _frame(commune, period, set_code)
    assessment = get_assessment_for_read(request.user, commune=commune, period=period, criteria_set=frame.criteria_set)
    return commune, assessment


class CriteriaSetList(generics.ListAPIView):
    """The criteria sets with their criteria, indicators, comparators and thresholds per region."""

    serializer_class = CriteriaSetSerializer

    def get_queryset(self):
        return selectors.criteria_sets_with_catalogue()


class AssessmentDetail(APIView):
    """GET one assessment of a commune for a period; PUT creates it or updates the listed values."""

    @extend_schema(parameters=[SET_PARAMETER], responses=AssessmentDocumentSerializer)
    def get(self, request, code, period):
        commune, assessment = _find(request, code, period, request.query_params.get("criteria_set"))
        return Response(_document(request.user, commune, assessment))

    @extend_schema(request=AssessmentInputSerializer, responses=AssessmentDocumentSerializer)
    def put(self, request, code, period):
        period = parse_period(period).code
        commune = get_commune_for_write(request.user, code, map_day(period))
        body = AssessmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        frame = _frame(commune, period, data.get("criteria_set"))
        assessment = services.assessment_values_save(
            commune=commune, period=period, criteria_set=frame.criteria_set, entries=data["values"], by=request.user,
            expected_version=data.get("version"), source="api",
        )
        assessment.commune = commune
        return Response(_document(request.user, commune, assessment))


class AssessmentAction(APIView):
    """POST submit / approve / return (with a comment) / reopen."""

    action_name = ""

    @extend_schema(request=ActionInputSerializer, responses=AssessmentDocumentSerializer, parameters=[SET_PARAMETER])
    def post(self, request, code, period):
        body = ActionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        set_code = data.get("criteria_set") or request.query_params.get("criteria_set")
        commune, assessment = _find(request, code, period, set_code)
        assessment = services.assessment_transition(
            assessment=assessment, action=self.action_name, by=request.user, comment=data.get("comment", ""),
            expected_version=data.get("version"),
        )
        return Response(_document(request.user, commune, assessment))


class AssessmentHistory(generics.ListAPIView):
    """Every value change of the assessment: indicator, old, new, user, at (newest first)."""

    serializer_class = HistorySerializer

    @extend_schema(parameters=[SET_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _commune, assessment = _find(
            self.request, self.kwargs["code"], self.kwargs["period"], self.request.query_params.get("criteria_set")
        )
        return selectors.assessment_history(assessment)


class CommuneGroups(generics.ListAPIView):
    """GET every commune-group assignment (``?criteria_set=…&commune=…``), newest first: the history, the
    first one per commune and period applies. POST (province staff) sets one commune's group."""

    serializer_class = CommuneGroupSerializer

    @extend_schema(parameters=[OpenApiParameter("criteria_set", str), OpenApiParameter("commune", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        from ..models import CommuneGroupAssignment

        rows = CommuneGroupAssignment.objects.select_related("commune", "criteria_set", "decision").order_by("-set_at", "-id")
        if self.request.query_params.get("criteria_set"):
            rows = rows.filter(criteria_set__code=self.request.query_params["criteria_set"])
        if self.request.query_params.get("commune"):
            rows = rows.filter(commune__code=self.request.query_params["commune"])
        return rows

    @extend_schema(request=CommuneGroupInputSerializer, responses=CommuneGroupSerializer)
    def post(self, request):
        from django.core.exceptions import PermissionDenied

        from accounts.scope import can_manage_commune_groups

        from ..models import CriteriaSet
        from ..services.groups import commune_group_set

        if not can_manage_commune_groups(request.user):
            raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được phân nhóm xã."))
        body = CommuneGroupInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        criteria_set = CriteriaSet.objects.filter(code=data["criteria_set"]).first()
        if criteria_set is None:
            raise ValidationError({"criteria_set": [_("Không có bộ tiêu chí “%(code)s”.") % {"code": data["criteria_set"]}]})
        commune = get_commune_for_read(request.user, data["commune"])
        assignment = commune_group_set(
            criteria_set=criteria_set, commune=commune, group=data["group"], from_period=data["from_period"],
            to_period=data.get("to_period") or None, decision_number=data["decision_number"],
            decision_date=data["decision_date"], issuer=data["issuer"], by=request.user, source="api",
        )
        return Response(CommuneGroupSerializer(assignment).data, status=201)
