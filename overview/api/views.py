"""GET /api/v1/summary/: the figures of a frame, from the same selector as the dashboard and the reports."""

import json

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.scope import districts_visible_to
from communes.api.serializers import DayField, QueryInput
from communes.models import Province
from communes.periods import parse_period
from criteria.frame import SERVED, build_frame
from overview import selectors
from overview.views import district_off_map as district_refusal

AT_RISK_PAGE = 500  # at-risk indicators per page of the summary document (API.md: lists up to 500)


class SummaryInput(QueryInput):
    """Shape of the query string; the period code is parsed by communes.periods (translated message)."""

    period = serializers.CharField()
    district = serializers.CharField(required=False)
    province = serializers.CharField(required=False)
    include = serializers.ChoiceField(choices=["submitted"], required=False)
    on = DayField(required=False)
    criteria_set = serializers.CharField(required=False)
    at_risk_offset = serializers.IntegerField(required=False, min_value=0)
    at_risk_criteria_offset = serializers.IntegerField(required=False, min_value=0)

    def validate_period(self, value):
        try:
            return parse_period(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class SummaryView(APIView):
    """The summary document of API.md, as of ``as_of``: approved results only unless ``include=submitted``.

    ``district`` narrows to one district; ``province`` to one province; ``province=*`` is the whole
    country; neither is the province this installation serves. ``on`` sets the cut-off date (default: today,
    or the period's closing date once it has passed).
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="2021-H1, 2021-H2 hoặc 2021"),
            OpenApiParameter("district", str, description="Mã huyện (GSO)"),
            OpenApiParameter("province", str, description="Mã tỉnh (GSO), hoặc * cho cả nước"),
            OpenApiParameter("include", str, enum=["submitted"]),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Ngày chốt số liệu (YYYY-MM-DD)"),
            OpenApiParameter("criteria_set", str, description="Mã bộ tiêu chí, nếu khác bộ áp dụng cho kỳ"),
            OpenApiParameter("at_risk_offset", int, description="Vị trí bắt đầu của trang chỉ tiêu sát ngưỡng"),
            OpenApiParameter(
                "at_risk_criteria_offset", int, description="Vị trí bắt đầu của trang tiêu chí bị tụt so với kỳ trước",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = SummaryInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        province, district = SERVED, None
        if data.get("district"):
            district = districts_visible_to(request.user).select_related("province").filter(code=data["district"]).first()
            if district is None:
                raise serializers.ValidationError({"district": [_("Không có huyện mã “%(code)s”.") % {"code": data["district"]}]})
        if data.get("province") == "*":
            province = None
        elif data.get("province"):
            province = Province.objects.filter(code=data["province"]).first()
            if province is None or (district is not None and district.province_id != province.pk):
                raise serializers.ValidationError({"province": [_("Không có tỉnh mã “%(code)s”.") % {"code": data["province"]}]})
        refusal = district is not None and district_refusal(district, data["period"].end, period=data["period"].code)
        if refusal:  # the hierarchy follows the period: no districts on a map after the 2025 reform
            raise serializers.ValidationError({"district": [refusal]})
        frame = build_frame(
            period=data["period"], today=timezone.localdate(), criteria_set=data.get("criteria_set"),
            province=province, district=district, cut_off=data.get("on"),
            include_submitted=data.get("include") == "submitted",
        )
        # The JSON body is cached, keyed by the overview stamp: a hit costs the stamp query only.
        stamp = selectors.overview_stamp(frame=frame)
        offset, slipped_offset = data.get("at_risk_offset", 0), data.get("at_risk_criteria_offset", 0)
        key = selectors.cache_key(
            "summary-api", frame.period.code, frame.province.pk if frame.province else None,
            district.pk if district else None, stamp, offset, slipped_offset,
        )
        body = cache.get(key)
        if body is None:
            # ``at_risk`` and ``at_risk_criteria`` are one page each (AT_RISK_PAGE items); ``at_risk_total`` /
            # ``at_risk_criteria_total`` and ``at_risk_next`` / ``at_risk_criteria_next`` (the URL of the next
            # page, or null) were added for them (issue 17).
            summary = selectors.province_summary(
                frame=frame, at_risk_limit=AT_RISK_PAGE, at_risk_offset=offset,
                slipped_limit=AT_RISK_PAGE, slipped_offset=slipped_offset,
            )
            document = summary.as_api_dict()
            for name, following in (
                ("at_risk", summary.at_risk_next_offset), ("at_risk_criteria", summary.at_risk_criteria_next_offset),
            ):
                query = request.GET.copy()
                query[f"{name}_offset"] = str(following)
                document[f"{name}_next"] = (
                    request.build_absolute_uri(f"{request.path}?{query.urlencode()}") if following is not None else None
                )
            body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
            cache.set(key, body, selectors.SUMMARY_CACHE_SECONDS)
        return HttpResponse(body, content_type="application/json")
