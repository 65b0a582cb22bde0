"""The workflow map: who may submit, approve, return and reopen; illegal moves refused; every move recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from config.errors import ConflictError, LockedError
from criteria.models import Assessment, AssessmentTransition

from .helpers import all_met_entries, approve, reopen, return_, save, submit, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast, set_2016, commune_a):
    return save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a)


def state(assessment):
    assessment.refresh_from_db()
    return assessment.status, assessment.version


def test_the_whole_cycle_is_recorded(cast, draft):
    # draft → submitted (district) → returned (province, with a reason) → submitted → approved → reopened
    a = submit(assessment=draft, by=cast.officer_a, expected_version=1)
    assert (a.status, a.version, a.submitted_at is not None) == ("submitted", 2, True)
    a = return_(assessment=a, by=cast.staff, comment="Thiếu minh chứng tiêu chí 17")
    assert (a.status, a.return_comment) == ("returned", "Thiếu minh chứng tiêu chí 17")
    a = submit(assessment=a, by=cast.officer_a)
    assert (a.status, a.return_comment) == ("submitted", "")
    a = approve(assessment=a, by=cast.staff)
    assert (a.status, a.approved_at is not None) == ("approved", True)
    a = reopen(assessment=a, by=cast.staff)
    assert (a.status, a.version) == ("draft", 6)
    rows = list(AssessmentTransition.objects.order_by("id").values_list("action", "from_status", "to_status", "user__username", "comment"))
    assert rows == [
        ("submit", "draft", "submitted", "officer_a", ""),
        ("return", "submitted", "returned", "staff", "Thiếu minh chứng tiêu chí 17"),
        ("submit", "returned", "submitted", "officer_a", ""),
        ("approve", "submitted", "approved", "staff", ""),
        ("reopen", "approved", "draft", "staff", ""),
    ]


def test_reopen_with_a_reason_returns_it_to_the_district(cast, draft):
    a = approve(assessment=submit(assessment=draft, by=cast.staff), by=cast.staff)
    a = reopen(assessment=a, by=cast.staff, comment="Rà soát lại thu nhập")
    assert (a.status, a.return_comment) == ("returned", "Rà soát lại thu nhập")


@pytest.mark.parametrize(
    ("setup", "action", "error"),
    [
        ([], "approve", ValidationError),
        ([], "return", ValidationError),
        ([], "reopen", ValidationError),
        (["submit"], "submit", ValidationError),
        (["submit"], "reopen", ValidationError),
        (["submit", "approve"], "submit", LockedError),
        (["submit", "approve"], "approve", LockedError),
        (["submit", "approve"], "return", LockedError),
    ],
)
def test_illegal_transitions_are_refused(cast, draft, setup, action, error):
    for step in setup:
        transition(assessment=draft, action=step, by=cast.staff)
    before = state(draft)
    transitions = AssessmentTransition.objects.count()
    with pytest.raises(error):
        transition(assessment=draft, action=action, by=cast.staff, comment="lý do")
    assert state(draft) == before
    assert AssessmentTransition.objects.count() == transitions


def test_a_return_needs_a_reason(cast, draft):
    submit(assessment=draft, by=cast.officer_a)
    with pytest.raises(ValidationError) as excinfo:
        return_(assessment=draft, by=cast.staff, comment="  ")
    assert excinfo.value.message_dict == {"comment": ["Cần ghi lý do trả lại."]}
    assert state(draft)[0] == "submitted"


def test_an_incomplete_assessment_cannot_be_submitted(cast, set_2016, commune_a):
    a = save(commune_a, set_2016, all_met_entries(set_2016, skip={"2.1", "19.2"}), cast.officer_a)
    with pytest.raises(ValidationError) as excinfo:
        submit(assessment=a, by=cast.officer_a)
    assert excinfo.value.message_dict == {"values": ["Chưa nhập đủ các chỉ tiêu: 2.1, 19.2."]}
    assert state(a) == ("draft", 1)


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("officer_b", "submit"), ("leader", "submit"), ("agency_officer", "submit"),
        ("officer_a", "approve"), ("leader", "approve"), ("officer_a", "return"),
    ],
)
def test_who_may_move_it(cast, draft, who, action):
    if action != "submit":
        submit(assessment=draft, by=cast.officer_a)
    before = state(draft)
    with pytest.raises(PermissionDenied):
        transition(assessment=draft, action=action, by=getattr(cast, who), comment="x")
    assert state(draft) == before


def test_reopen_is_for_province_staff_only(cast, draft):
    a = approve(assessment=submit(assessment=draft, by=cast.officer_a), by=cast.staff)
    for who in ("officer_a", "leader"):
        with pytest.raises(PermissionDenied):
            reopen(assessment=a, by=getattr(cast, who))
    assert state(a)[0] == "approved"


def test_a_stale_version_on_a_transition(cast, draft):
    with pytest.raises(ConflictError):
        submit(assessment=draft, by=cast.officer_a, expected_version=7)
    assert Assessment.objects.get(pk=draft.pk).status == "draft"
