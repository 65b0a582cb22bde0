"""Directives API (API.md "Directives"): parse with an input serializer, fetch through scope, call, present."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import (
    documents_visible_to,
    get_document_for_read,
    get_task_for_update,
    require_directives_manager,
)
from communes.api.serializers import AsOfQuery
from communes.periods import parse_day
from directives import selectors, services
from directives.deadlines import local_today

from .serializers import (
    AgencyInput,
    AgencySerializer,
    DocumentInput,
    DocumentSerializer,
    TaskDetailSerializer,
    TaskFilterInput,
    TaskInput,
    TaskSerializer,
    TaskUpdateInput,
    TaskUpdateSerializer,
)


class AgencyListCreate(generics.ListAPIView):
    """GET: every agency, by code. POST (province staff): create one."""

    serializer_class = AgencySerializer

    def get_queryset(self):
        return selectors.agency_list(user=self.request.user)

    @extend_schema(request=AgencyInput, responses={201: AgencySerializer})
    def post(self, request):
        require_directives_manager(request.user)
        data = AgencyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agency = services.agency_create(
            by=request.user, code=values["code"], name=values["name"], kind=values["kind"],
            district_code=values.get("district") or "",
        )
        return Response(AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


class DocumentListCreate(generics.ListAPIView):
    """GET: documents, newest first. POST (province staff): enter one."""

    serializer_class = DocumentSerializer

    @extend_schema(parameters=[OpenApiParameter("kind", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        documents = documents_visible_to(self.request.user)
        kind = self.request.query_params.get("kind")
        return documents.filter(kind=kind) if kind else documents

    @extend_schema(request=DocumentInput, responses={201: DocumentSerializer})
    def post(self, request):
        require_directives_manager(request.user)
        data = DocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_create(by=request.user, **data.validated_data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetail(generics.RetrieveAPIView):
    serializer_class = DocumentSerializer

    def get_object(self):
        return get_document_for_read(self.request.user, self.kwargs["pk"])


def _filter_error(field, message):
    return ValidationError({field: [message]})


class TaskListCreate(generics.ListAPIView):
    """GET: the task board (``?agency=CODE&district=CODE&status=&overdue=true&document=ID``), by deadline.
    POST (province staff): give a task; deadline as ``due_date`` or ``due_label``."""

    serializer_class = TaskSerializer

    @extend_schema(parameters=[
        *(OpenApiParameter(name, str) for name in ("agency", "district", "status", "overdue", "document")),
        OpenApiParameter("on", OpenApiTypes.DATE, description="status and overdue as they stood that day (default today)"),
    ])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["as_of"] = self._on.isoformat()
        return response

    def get_queryset(self):
        params = TaskFilterInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        agency = district = document = None
        if filters.get("agency"):
            agency = selectors.agency_by_code(filters["agency"])
            if agency is None:
                raise _filter_error("agency", _("Không có cơ quan mã “%(code)s”.") % {"code": filters["agency"]})
        if filters.get("district"):
            district = selectors.district_by_code(filters["district"])
            if district is None:
                raise _filter_error("district", _("Không có huyện mã “%(code)s”.") % {"code": filters["district"]})
        if filters.get("document") is not None:
            document = documents_visible_to(self.request.user).filter(pk=filters["document"]).first()
            if document is None:
                raise _filter_error("document", _("Không có văn bản mã số %(id)s.") % {"id": filters["document"]})
        overdue = {"true": True, "1": True, "false": False, "0": False}.get(filters.get("overdue", ""))
        today = local_today()
        self._on = parse_day(filters.get("on"), today=today) or today
        return selectors.task_board(
            user=self.request.user, agency=agency, district=district, status=filters.get("status"),
            overdue=overdue, document=document, today=self._on, commune=filters.get("commune") or None,
        )

    @extend_schema(request=TaskInput, responses={201: TaskSerializer})
    def post(self, request):
        require_directives_manager(request.user)
        data = TaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["due_label"] = values.get("due_label") or ""
        task = services.task_create(by=request.user, **values)
        created = selectors.task_detail(user=request.user, pk=task.pk)
        return Response(TaskSerializer(created).data, status=status.HTTP_201_CREATED)


class TaskDetail(generics.RetrieveAPIView):
    """A task with its progress updates in the order they were reported."""

    serializer_class = TaskDetailSerializer

    @extend_schema(parameters=[
        OpenApiParameter("on", OpenApiTypes.DATE, description="status and overdue as they stood that day (default today)"),
    ])
    def retrieve(self, request, *args, **kwargs):
        on = AsOfQuery(data=request.query_params).day(today=local_today())
        task = selectors.task_detail(user=request.user, pk=kwargs["pk"], today=on)
        context = {**self.get_serializer_context(), "updates": selectors.task_updates(task, on=on)}
        return Response({**TaskDetailSerializer(task, context=context).data, "as_of": on.isoformat()})


class TaskUpdateCreate(APIView):
    """POST ``{"note", "status"}``: report progress on a task the user's agency (or district) is part of."""

    @extend_schema(request=TaskUpdateInput, responses={201: TaskUpdateSerializer})
    def post(self, request, pk):
        task = get_task_for_update(request.user, pk)
        data = TaskUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        update = services.task_update_create(
            by=request.user, task=task, note=values["note"], status=values.get("status") or None,
            attachment=values.get("attachment"), expected_version=values.get("version"),
        )
        body = TaskUpdateSerializer(update).data
        body["task_status"] = update.status
        return Response(body, status=status.HTTP_201_CREATED)
