"""accounts.scope.directives: the queryset form and the object form agree, per role."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.scope import can_post_task_update, get_task_for_read, get_task_for_update, tasks_updatable_by
from directives.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(make_task, agency, other_agency, committee_a, units):
    return {
        "snn_leads": make_task(lead_agency=agency),
        "snn_coordinates": make_task(lead_agency=other_agency, coordinating=[agency]),
        "sct_only": make_task(lead_agency=other_agency),
        "names_district_a": make_task(lead_agency=other_agency, districts=[units.district_a]),
        "names_district_b": make_task(lead_agency=other_agency, districts=[units.district_b]),
        "committee_a_leads": make_task(lead_agency=committee_a),
        "committee_a_coordinates": make_task(lead_agency=other_agency, coordinating=[committee_a]),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", {"snn_leads", "snn_coordinates", "sct_only", "names_district_a", "names_district_b",
                   "committee_a_leads", "committee_a_coordinates"}),
        ("admin_user", {"snn_leads", "snn_coordinates", "sct_only", "names_district_a", "names_district_b",
                        "committee_a_leads", "committee_a_coordinates"}),
        ("agency_officer", {"snn_leads", "snn_coordinates"}),
        ("officer_a", {"names_district_a", "committee_a_leads", "committee_a_coordinates"}),
        ("officer_b", {"names_district_b"}),
        ("leader", set()),
    ],
)
def test_who_may_report_on_which_task(cast, spread, who, expected):
    user = getattr(cast, who)
    names = {pk: name for name, pk in ((name, task.pk) for name, task in spread.items())}
    by_queryset = {names[pk] for pk in tasks_updatable_by(user).values_list("pk", flat=True)}
    by_object = {name for name, task in spread.items() if can_post_task_update(user, task)}
    assert by_queryset == expected
    assert by_object == expected


def test_everyone_signed_in_reads_and_anonymous_gets_404(cast, spread):
    from django.contrib.auth.models import AnonymousUser

    task = spread["sct_only"]
    for user in (cast.leader, cast.officer_b, cast.agency_officer):
        assert get_task_for_read(user, task.pk) == task
    with pytest.raises(Http404):
        get_task_for_read(AnonymousUser(), task.pk)


def test_get_task_for_update_is_403_when_visible_but_not_allowed(cast, spread):
    with pytest.raises(PermissionDenied):
        get_task_for_update(cast.agency_officer, spread["sct_only"].pk)
    with pytest.raises(Http404):
        get_task_for_update(cast.agency_officer, Task.objects.order_by("-pk").first().pk + 1)
