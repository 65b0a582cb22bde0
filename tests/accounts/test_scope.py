"""The one scope module: who may read and change which units."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import scope
from tests.conftest import add_communes

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_district_officer_writes_only_own_district(cast, units):
    assert codes(scope.communes_writable_by(cast.officer_a)) == ["03253", "03260"]
    assert scope.can_write_commune(cast.officer_a, units.communes_a[0]) is True
    assert scope.can_write_commune(cast.officer_a, units.communes_b[0]) is False
    assert codes(scope.districts_writable_by(cast.officer_a)) == ["099"]


def test_every_signed_in_role_reads_the_whole_province(cast, units):
    for user in (cast.staff, cast.officer_a, cast.officer_b, cast.agency_officer, cast.leader, cast.admin_user):
        assert codes(scope.communes_visible_to(user)) == ["03253", "03260", "03295", "03364"]


def test_leader_and_agency_officer_write_nothing(cast, units):
    for user in (cast.leader, cast.agency_officer):
        assert codes(scope.communes_writable_by(user)) == []
        assert scope.can_write_commune(user, units.communes_a[0]) is False
        assert scope.can_manage_master_data(user) is False


def test_province_staff_and_admin_write_everything(cast, units):
    for user in (cast.staff, cast.admin_user):
        assert len(codes(scope.communes_writable_by(user))) == 4
        assert scope.can_manage_master_data(user) is True


def test_anonymous_sees_nothing(units):
    from django.contrib.auth.models import AnonymousUser

    assert codes(scope.communes_visible_to(AnonymousUser())) == []
    with pytest.raises(Http404):
        scope.get_commune_for_read(AnonymousUser(), "03253")


def test_get_commune_for_write_answers_404_for_unknown_and_403_for_other_district(cast, units):
    assert scope.get_commune_for_write(cast.officer_a, "03260").code == "03260"
    with pytest.raises(Http404):
        scope.get_commune_for_write(cast.officer_a, "99999")
    with pytest.raises(PermissionDenied):
        scope.get_commune_for_write(cast.officer_a, "03364")


def test_explicit_commune_set_extends_scope_after_reform(cast, units):
    # given an officer scoped by an explicit set of communes (no district, as after the 2025 reform)
    cast.officer_b.district = None
    cast.officer_b.save(update_fields=["district"])
    cast.officer_b.extra_communes.add(units.communes_a[1])
    assert codes(scope.communes_writable_by(cast.officer_b)) == ["03260"]
    assert scope.can_write_commune(cast.officer_b, units.communes_a[1]) is True
    assert scope.can_write_commune(cast.officer_b, units.communes_b[0]) is False


def test_inactive_user_has_no_scope(cast, units):
    cast.staff.is_active = False
    assert scope.is_province_staff(cast.staff) is False
    assert codes(scope.communes_writable_by(cast.staff)) == []


def test_writable_query_is_one_query_whatever_the_commune_count(cast, units, django_assert_num_queries):
    add_communes(units.district_a, 5, start=10)
    with django_assert_num_queries(1):
        assert len(list(scope.communes_writable_by(cast.officer_a))) == 7


def test_evidence_is_downloaded_by_staff_leaders_and_the_officers_of_the_commune(cast, units):
    commune = units.communes_a[1]
    allowed = {user.username: scope.can_download_evidence(user, commune) for user in (
        cast.staff, cast.admin_user, cast.leader, cast.officer_a, cast.officer_b, cast.agency_officer,
    )}
    assert allowed == {
        "staff": True, "admin_user": True, "leader": True, "officer_a": True, "officer_b": False,
        "agency_officer": False,
    }
    # a scope by a list of communes (after the reform) covers the communes listed
    cast.officer_b.extra_communes.add(commune)
    assert scope.can_download_evidence(cast.officer_b, commune) is True
    cast.officer_a.is_active = False
    assert scope.can_download_evidence(cast.officer_a, commune) is False


def test_get_evidence_for_download_is_404_for_none_and_403_outside_the_scope(cast, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from criteria.models import CriteriaSet, IndicatorValue
    from criteria.services.assessments import assessment_values_save

    commune = units.communes_a[1]
    assessment_values_save(
        commune=commune, period="2021-H1", criteria_set=CriteriaSet.objects.get(code="2016-2020"),
        entries=[{"indicator": "10", "value": 40, "evidence": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
                 {"indicator": "4.1", "value": True}],
        by=cast.officer_a, expected_version=None, source="web",
    )
    with_file = IndicatorValue.objects.get(indicator__code="10")
    without_file = IndicatorValue.objects.get(indicator__code="4.1")
    assert scope.get_evidence_for_download(cast.leader, with_file.pk) == with_file
    with pytest.raises(PermissionDenied):
        scope.get_evidence_for_download(cast.agency_officer, with_file.pk)
    with pytest.raises(Http404):
        scope.get_evidence_for_download(cast.staff, without_file.pk)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        scope.get_evidence_for_download(AnonymousUser(), with_file.pk)
