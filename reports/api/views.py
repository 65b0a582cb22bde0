"""Reports API (API.md "Reports"): ask for a report (202, optionally with a cut-off date), read its status
(draft or final, number, hash), download its PDF (the final document once issued, or the draft).

Parse (input serializer) → fetch through accounts.scope → call the service → present. The file is served
by ``ReportFile`` after the same scope check as the pages, never from MEDIA_URL.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import districts_visible_to, get_report_for_download, get_report_for_read
from communes.models import Province
from reports import selectors, services
from reports.excel import report_workbook

from .serializers import ReportRequestInput, ReportSerializer


class ReportListCreate(generics.ListCreateAPIView):
    """GET: the reports the user may see, newest first. POST: ask for one → 202 with its id and status."""

    serializer_class = ReportSerializer

    @extend_schema(parameters=[OpenApiParameter(name, str) for name in ("kind", "period", "status")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.report_list(
            user=self.request.user, kind=params.get("kind") or None, period=params.get("period") or None,
            status=params.get("status") or None,
        )

    @extend_schema(request=ReportRequestInput, responses={202: ReportSerializer})
    def post(self, request, *args, **kwargs):
        data = ReportRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        district = province = None
        if values.get("district"):
            district = districts_visible_to(request.user).select_related("province").filter(code=values["district"]).first()
            if district is None:
                raise ValidationError({"district": [_("Không có huyện mã “%(code)s”.") % {"code": values["district"]}]})
        if values.get("province"):
            province = Province.objects.filter(code=values["province"]).first()
            if province is None:
                raise ValidationError({"province": [_("Không có tỉnh mã “%(code)s”.") % {"code": values["province"]}]})
        report = services.report_request(
            user=request.user, kind=values["kind"], period=values["period"], district=district, province=province,
            cut_off=values.get("cut_off"),
        )
        return Response(ReportSerializer(report, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ReportDetail(generics.RetrieveAPIView):
    serializer_class = ReportSerializer

    def get_object(self):
        return get_report_for_read(self.request.user, self.kwargs["pk"])


def _pdf_response(request, pk, version):
    report = get_report_for_download(request.user, pk)
    field, name = selectors.report_pdf(report=report, version=version)
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp báo cáo.")) from None
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


class ReportFile(APIView):
    """The report's PDF (application/pdf): the final document once rendered, else the draft; 404 while it
    is not done or outside the user's scope."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return _pdf_response(request, pk, "current")


class ReportDraft(APIView):
    """The draft's PDF (watermarked "DỰ THẢO"), also after the report was issued."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return _pdf_response(request, pk, "draft")


class ReportExcel(APIView):
    """The report's tables as .xlsx, from its snapshot."""

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        report = get_report_for_download(request.user, pk)
        response = HttpResponse(
            report_workbook(report.snapshot),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{report.download_name("xlsx")}"'
        return response
