import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_from_commune_list(api, units):
    # given no credentials / when listing communes / then 401
    response = api().get("/api/v1/communes/")
    assert response.status_code == 401


def test_commune_list_filters_by_district(api, cast, units):
    response = api(cast.leader).get("/api/v1/communes/", {"district": "099"})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [row["code"] for row in response.json()["results"]] == ["03253", "03260"]
    assert response.json()["results"][0] == {
        "code": "03253", "name": "Thị trấn Tuần Giáo", "kind": "thi_tran", "district": "099", "province": "11", "level": "none",
    }
