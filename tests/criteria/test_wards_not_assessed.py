"""Wards and thị trấn are not assessed for NTM: shown as such, never as "Chưa đạt chuẩn", not counted as xã,
and an NTM assessment for one is refused with a clear message (service, page, API); nothing is written."""

import pytest
from django.core.exceptions import ValidationError

from criteria.eligibility import check_assessable, is_assessed_for_ntm
from criteria.models import Assessment, CriteriaSet
from criteria.services.assessments import assessment_values_save

pytestmark = pytest.mark.django_db

MESSAGE = ("Thị trấn Tuần Giáo là thị trấn: phường, thị trấn không thuộc diện đánh giá xã nông thôn mới, "
           "nên không nhập được đánh giá NTM.")


def test_only_a_xa_is_assessed(units):
    township, xa = units.communes_a
    assert (is_assessed_for_ntm(township), is_assessed_for_ntm(xa)) == (False, True)
    check_assessable(xa)
    with pytest.raises(ValidationError) as error:
        check_assessable(township)
    assert error.value.message_dict == {"commune": [MESSAGE]}


def test_the_service_refuses_an_assessment_for_a_township(cast, units):
    with pytest.raises(ValidationError) as error:
        assessment_values_save(
            commune=units.communes_a[0], period="2021-H1", criteria_set=CriteriaSet.objects.get(code="2016-2020"),
            entries=[{"indicator": "10", "value": 40}], by=cast.officer_a, expected_version=None,
        )
    assert error.value.message_dict == {"commune": [MESSAGE]}
    assert Assessment.objects.count() == 0


def test_the_entry_page_offers_no_form_and_refuses_a_post(login, cast, units):
    client = login(cast.officer_a)
    url = f"/criteria/communes/{units.communes_a[0].code}/2021-H1/"
    html = client.get(url).content.decode()
    assert 'id="assessment-form"' not in html
    assert "không nhập đánh giá NTM cho đơn vị này" in html
    response = client.post(url, {"set": "2016-2020", "action": "save", "v-10": "40"})
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert Assessment.objects.count() == 0


def test_the_api_refuses_it_with_a_field_message(api, cast, units):
    response = api(cast.officer_a).put(
        f"/api/v1/communes/{units.communes_a[0].code}/assessments/2021-H1/",
        {"values": [{"indicator": "10", "value": 40}]}, format="json",
    )
    assert response.status_code == 400
    assert response.json()["commune"] == [MESSAGE]
    assert Assessment.objects.count() == 0


def test_lists_show_a_township_as_such_and_count_units_not_xa(login, cast, units):
    client = login(cast.leader)
    html = client.get("/communes/").content.decode()
    assert '<span class="badge not-assessed"' in html and "Thị trấn · không đánh giá NTM" in html
    assert html.count("Chưa đạt chuẩn</span>") == 3  # the three xã; the thị trấn is not one of them
    assert "4 đơn vị hành chính cấp xã" in html
    detail = client.get(f"/communes/{units.communes_a[0].code}/").content.decode()
    assert "Thị trấn · không đánh giá NTM" in detail
