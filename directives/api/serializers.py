"""Directives API shapes (API.md "Directives"). Input serializers check shape only; services own the rules."""

from django.urls import reverse
from rest_framework import serializers

from communes.api.serializers import DayField, QueryInput
from directives.models import Agency, AgencyKind, Document, DocumentKind, Task, TaskStatus, TaskUpdate


class AgencySerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", allow_null=True, default=None)

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "district"]


class AgencyInput(serializers.Serializer):
    code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=AgencyKind.choices, required=False, default=AgencyKind.DEPARTMENT)
    district = serializers.CharField(max_length=3, required=False, allow_blank=True, allow_null=True, default="")


class DocumentSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "number", "kind", "date", "issuer", "title", "summary", "file_url"]

    def get_file_url(self, document) -> str | None:
        if not document.file:
            return None
        return reverse("directives:document-file", args=[document.pk])


class DocumentInput(serializers.Serializer):
    number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False, default=DocumentKind.THONG_BAO)
    date = serializers.DateField(required=False, allow_null=True, default=None)
    issuer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)


class TaskSerializer(serializers.ModelSerializer):
    """A task; expects a queryset from ``Task.objects.for_listing().with_overdue(today)``."""

    document_number = serializers.CharField(source="document.number")
    lead_agency = serializers.CharField(source="lead_agency.code")
    coordinating_agencies = serializers.SerializerMethodField()
    districts = serializers.SerializerMethodField()
    communes = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue")
    status = serializers.ChoiceField(source="status_as_of", choices=TaskStatus.choices)

    class Meta:
        model = Task
        fields = [
            "id", "document", "document_number", "reference", "content", "lead_agency", "coordinating_agencies",
            "districts", "due_date", "due_label", "status", "overdue", "done_at", "note", "version", "communes",
        ]

    def get_coordinating_agencies(self, task) -> list[str]:
        return [agency.code for agency in task.coordinating_agencies.all()]

    def get_districts(self, task) -> list[str]:
        return [district.code for district in task.districts.all()]

    def get_communes(self, task) -> list[str]:
        return [commune.code for commune in task.communes.all()]


class TaskUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    author_name = serializers.CharField(source="author.get_full_name")
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskUpdate
        fields = ["id", "note", "status", "previous_status", "author", "author_name", "at", "attachment_url"]

    def get_attachment_url(self, update) -> str | None:
        if not update.attachment:
            return None
        return reverse("directives:update-attachment", args=[update.pk])


class TaskDetailSerializer(TaskSerializer):
    updates = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = TaskSerializer.Meta.fields + ["updates"]

    def get_updates(self, task) -> list[dict]:
        return TaskUpdateSerializer(self.context["updates"], many=True).data


class TaskInput(serializers.Serializer):
    document = serializers.IntegerField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    content = serializers.CharField(required=False, allow_blank=True, default="")
    lead_agency = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    coordinating_agencies = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)
    districts = serializers.ListField(child=serializers.CharField(max_length=3), required=False, default=list)
    communes = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_label = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True, default="")
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False, default=TaskStatus.NOT_STARTED)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TaskFilterInput(QueryInput):
    agency = serializers.CharField(required=False)
    district = serializers.CharField(required=False)
    commune = serializers.CharField(required=False, max_length=5)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    overdue = serializers.ChoiceField(choices=["true", "false", "1", "0"], required=False)
    document = serializers.IntegerField(required=False)
    on = DayField(required=False, help_text="YYYY-MM-DD: status and overdue as they stood that day")


class TaskUpdateInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False, allow_blank=True, default="")
    attachment = serializers.FileField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="the task's version the report is based on; 409 when stale",
    )
