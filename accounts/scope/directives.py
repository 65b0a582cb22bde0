"""Scope of directives: who reads documents and tasks, who reports progress, who manages them.

- Everyone signed in reads every agency, document, task, update and recommendation.
- Province staff (and admins) manage agencies, documents, tasks and responses, and may report on any task.
- An agency officer reports progress only on tasks their agency leads or coordinates.
- A district officer reports progress on tasks that concern their district: tasks that name the district,
  or that its people's committee (an agency of kind ``district_committee`` for that district) leads or
  coordinates. Many directions are given to "UBND các huyện" collectively; the district is then the one
  doing the work, so its officer reports on it.
- A commune officer (after the 2025 reform) reports progress on tasks assigned to one of their communes.
- Leaders only read.

An unknown (or, for an anonymous user, any) object is a 404; a visible object the user may not change is
a 403 with a message that says why.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from directives.models import Agency, AgencyKind, Document, Recommendation, Task, TaskUpdate

from .roles import is_agency_officer, is_commune_officer, is_district_officer, is_province_staff, is_reader

__all__ = [
    "agencies_visible_to",
    "can_manage_directives",
    "documents_visible_to",
    "get_document_for_read",
    "get_document_for_write",
    "tasks_visible_to",
    "tasks_updatable_by",
    "can_post_task_update",
    "get_task_for_read",
    "get_task_for_update",
    "get_task_update_for_read",
    "recommendations_visible_to",
    "get_recommendation_for_read",
    "get_recommendation_for_response",
    "require_directives_manager",
]


def _not_found():
    return Http404(_("Không tìm thấy."))


def can_manage_directives(user) -> bool:
    """Agencies, documents, tasks and responses to recommendations: province staff and admins only."""
    return is_province_staff(user)


def require_directives_manager(user) -> None:
    """Raise ``PermissionDenied`` unless the user manages directives (province staff)."""
    if not can_manage_directives(user):
        raise PermissionDenied(_("Chỉ cán bộ Văn phòng điều phối tỉnh được quản lý văn bản, nhiệm vụ và trả lời kiến nghị."))


def agencies_visible_to(user):
    """All agencies for a signed-in user, none otherwise."""
    return Agency.objects.all() if is_reader(user) else Agency.objects.none()


def documents_visible_to(user):
    """All documents for a signed-in user, none otherwise."""
    return Document.objects.all() if is_reader(user) else Document.objects.none()


def get_document_for_read(user, pk) -> Document:
    """The document with this id, or Http404 (missing, or an anonymous user)."""
    try:
        return documents_visible_to(user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def get_document_for_write(user, pk) -> Document:
    """The document if the user may change it; Http404 if unseen, 403 for anyone but province staff."""
    document = get_document_for_read(user, pk)
    require_directives_manager(user)
    return document


def tasks_visible_to(user, queryset=None):
    """Every task (of ``queryset``, default all) for a signed-in user; none otherwise."""
    queryset = Task.objects.all() if queryset is None else queryset
    return queryset if is_reader(user) else queryset.none()


def _district_committees(user):
    return Agency.objects.filter(kind=AgencyKind.DISTRICT_COMMITTEE, district_id=user.district_id)


def tasks_updatable_by(user, queryset=None):
    """Tasks on which the user may post a progress update (see the module docstring for the rules)."""
    queryset = Task.objects.all() if queryset is None else queryset
    if is_province_staff(user):
        return queryset
    if is_agency_officer(user) and user.agency_id:
        return queryset.involving_agency(user.agency_id)
    if is_district_officer(user) and user.district_id:
        return queryset.concerning_district(user.district_id)
    if is_commune_officer(user):
        # Tasks assigned to the officer's communes (after the 2025 reform tasks are given to communes).
        return queryset.filter(pk__in=Task.communes.through.objects.filter(
            commune__in=user.communes.all()).values("task_id"))
    return queryset.none()


def can_post_task_update(user, task) -> bool:
    """Object form of ``tasks_updatable_by``. Uses prefetched coordinating agencies and districts if present."""
    if is_province_staff(user):
        return True
    if is_agency_officer(user) and user.agency_id:
        if task.lead_agency_id == user.agency_id:
            return True
        return any(agency.pk == user.agency_id for agency in task.coordinating_agencies.all())
    if is_district_officer(user) and user.district_id:
        if any(district.pk == user.district_id for district in task.districts.all()):
            return True
        committees = {agency.pk for agency in _district_committees(user)}
        if task.lead_agency_id in committees:
            return True
        return any(agency.pk in committees for agency in task.coordinating_agencies.all())
    if is_commune_officer(user):
        mine = set(user.communes.values_list("pk", flat=True))
        return any(commune.pk in mine for commune in task.communes.all())
    return False


def get_task_for_read(user, pk, queryset=None) -> Task:
    """The task with this id (from ``queryset``, default all), or Http404."""
    try:
        return tasks_visible_to(user, queryset).get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def get_task_for_update(user, pk, queryset=None) -> Task:
    """The task if the user may post a progress update on it; Http404 if unseen, 403 otherwise."""
    task = get_task_for_read(user, pk, queryset)
    if not can_post_task_update(user, task):
        if is_agency_officer(user):
            raise PermissionDenied(_("Cơ quan của bạn không chủ trì, không phối hợp thực hiện nhiệm vụ này."))
        if is_district_officer(user):
            raise PermissionDenied(_("Nhiệm vụ này không liên quan đến huyện của bạn."))
        if is_commune_officer(user):
            raise PermissionDenied(_("Nhiệm vụ này không giao cho xã của bạn."))
        raise PermissionDenied(_("Bạn không có quyền báo cáo tiến độ nhiệm vụ này."))
    return task


def get_task_update_for_read(user, pk) -> TaskUpdate:
    """A progress update (for its attachment), or Http404."""
    if not is_reader(user):
        raise _not_found()
    try:
        return TaskUpdate.objects.select_related("task").get(pk=pk)
    except (TaskUpdate.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def recommendations_visible_to(user):
    """All recommendations for a signed-in user; none otherwise."""
    return Recommendation.objects.all() if is_reader(user) else Recommendation.objects.none()


def get_recommendation_for_read(user, pk) -> Recommendation:
    try:
        return recommendations_visible_to(user).get(pk=pk)
    except (Recommendation.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def get_recommendation_for_response(user, pk) -> Recommendation:
    """The recommendation if the user may record the province's response: Http404 if unseen, else 403."""
    recommendation = get_recommendation_for_read(user, pk)
    require_directives_manager(user)
    return recommendation
