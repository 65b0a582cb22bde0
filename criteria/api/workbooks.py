"""Workbooks API (API.md "Workbooks"): the Excel round-trip for scripts, the same download and upload as the page."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ..services.excel import ExcelImportError, excel_export, excel_filename, excel_frame, excel_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookQuerySerializer(serializers.Serializer):
    period = serializers.CharField()
    district = serializers.CharField(required=False, allow_blank=True)
    commune = serializers.ListField(child=serializers.CharField(), required=False)
    criteria_set = serializers.CharField(required=False, allow_blank=True)


class WorkbookUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class SavedSerializer(serializers.Serializer):
    commune = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField())


class SkippedSerializer(serializers.Serializer):
    commune = serializers.CharField()
    reason = serializers.CharField()


class WorkbookResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    saved = SavedSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class WorkbookView(APIView):
    """GET the workbook of a district (or of communes, on the two-level map) for a period; POST it back."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True), OpenApiParameter("district", str),
            OpenApiParameter("commune", str, many=True, description="two-level map: commune codes, repeated"),
            OpenApiParameter("criteria_set", str, description="set code; default: the period's set"),
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        query = {key: request.query_params.get(key) for key in ("period", "district", "criteria_set") if key in request.query_params}
        if "commune" in request.query_params:
            query["commune"] = request.query_params.getlist("commune")
        parsed = WorkbookQuerySerializer(data=query)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        frame = excel_frame(
            user=request.user, period=data["period"], today=timezone.localdate(), district=data.get("district") or None,
            communes=data.get("commune"), criteria_set=data.get("criteria_set") or None,
        )
        response = HttpResponse(excel_export(user=request.user, frame=frame), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{excel_filename(frame)}"'
        return response

    @extend_schema(request={"multipart/form-data": WorkbookUploadSerializer}, responses={200: WorkbookResultSerializer})
    def post(self, request):
        parsed = WorkbookUploadSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            result = excel_import(user=request.user, file=parsed.validated_data["file"], today=timezone.localdate())
        except ExcelImportError as exc:
            return Response({"errors": [error.as_dict() for error in exc.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict())
