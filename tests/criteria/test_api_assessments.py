"""API: criteria sets, GET/PUT of an assessment, workflow actions, history; scope; errors 400/401/403/404/409/423."""

import pytest

from criteria.models import Assessment, IndicatorValue, ValueHistory

from .helpers import all_met_entries, approve, save, submit, synthetic_set

pytestmark = pytest.mark.django_db
URL = "/api/v1/communes/{code}/assessments/{period}/"


def url(commune, period="2021-H1", suffix=""):
    return URL.format(code=commune.code, period=period) + suffix


def test_criteria_sets(api, cast):
    response = api(cast.leader).get("/api/v1/criteria-sets/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    sets = {s["code"]: s for s in body["results"]}
    assert sorted(sets) == ["2016-2020", "2021-2025", "2021-2025-advanced", "2026-2030"]
    old = sets["2016-2020"]
    assert [c["number"] for c in old["criteria"]] == list(range(1, 20))
    # each set says when it is in force (its decision) and how many criteria it has
    dates = {code: (s["kind"], s["effective_from"], s["effective_to"], s["criteria_count"]) for code, s in sets.items()}
    assert dates == {
        "2016-2020": ("standard", "2016-12-01", "2022-03-07", 19),
        "2021-2025": ("standard", "2022-03-08", "2026-02-14", 19),
        "2021-2025-advanced": ("advanced", "2022-03-08", "2026-02-14", 19),
        "2026-2030": ("standard", "2026-02-15", None, 10),
    }
    assert sets["2026-2030"]["decision"] == "51/2025/QĐ-TTg"
    indicators = {i["code"]: i for c in old["criteria"] for i in c["indicators"]}
    assert {k: indicators["10"][k] for k in ("code", "value_type", "unit", "comparator", "thresholds")} == {
        "code": "10", "value_type": "number", "unit": "triệu đồng/người/năm", "comparator": ">=",
        "thresholds": {"TDMNPB": 36, "DBSH": 50, "BTB": 36, "DHNTB": 41, "TN": 41, "DNB": 59, "DBSCL": 50},
    }
    assert indicators["15.3"]["thresholds"]["TDMNPB"] == 26.7
    assert indicators["4.1"]["comparator"] == "=="
    assert set(indicators["4.1"]["thresholds"].values()) == {1}
    # judged: no threshold known → comparator null
    assert (indicators["2.1"]["comparator"], indicators["2.1"]["thresholds"]) == (None, {})
    assert "DHNTB" not in indicators["17.1b"]["thresholds"]


def test_anonymous_gets_401(api, units):
    assert api().get("/api/v1/criteria-sets/").status_code == 401
    assert api().get(url(units.communes_a[1])).status_code == 401
    assert api().put(url(units.communes_a[1]), {"values": []}, format="json").status_code == 401


def test_get_is_404_before_any_assessment(api, cast, commune_a):
    assert api(cast.leader).get(url(commune_a)).status_code == 404
    assert api(cast.leader).get(URL.format(code="99999", period="2021-H1")).status_code == 404
    assert api(cast.leader).get(url(commune_a, period="2021-Q3")).status_code == 404


def test_put_creates_then_updates_with_the_version(api, cast, set_2016, commune_a):
    client = api(cast.officer_a)
    # when the district officer creates the assessment
    body = {"criteria_set": "2016-2020", "values": [
        {"indicator": "10", "value": 40, "note": "Theo điều tra hộ"},
        {"indicator": "4.1", "value": True},
        {"indicator": "2.1", "value": 85.5, "met": True},
    ]}
    response = client.put(url(commune_a), body, format="json")
    # then the document of API.md comes back
    assert response.status_code == 200
    doc = response.json()
    assert {k: doc[k] for k in ("commune", "period", "criteria_set", "status", "version", "met_count")} == {
        "commune": "03260", "period": "2021-H1", "criteria_set": "2016-2020", "status": "draft", "version": 1,
        "met_count": 1,
    }
    assert doc["criteria"][9] == {"number": 10, "name": "Thu nhập", "status": "met", "met": True, "note": ""}
    values = {v["indicator"]: v for v in doc["values"]}
    assert len(values) == 50
    assert {k: values["10"][k] for k in ("indicator", "value", "met", "note", "judged", "comparator", "threshold")} == {
        "indicator": "10", "value": 40, "met": True, "note": "Theo điều tra hộ", "judged": False, "comparator": ">=",
        "threshold": 36,
    }
    assert (values["2.1"]["value"], values["2.1"]["met"], values["2.1"]["judged"]) == (85.5, True, True)
    assert (values["4.1"]["value"], values["11"]["value"], values["11"]["met"]) == (True, None, None)
    # when updating with the version / then version 2, and GET returns the same document
    response = client.put(url(commune_a), {"version": 1, "values": [{"indicator": "10", "value": 30}]}, format="json")
    assert (response.status_code, response.json()["version"], response.json()["met_count"]) == (200, 2, 0)
    assert api(cast.leader).get(url(commune_a)).json() == response.json()


def test_put_without_version_on_an_existing_assessment_is_400(api, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    response = api(cast.officer_a).put(url(commune_a), {"values": [{"indicator": "10", "value": 41}]}, format="json")
    assert (response.status_code, response.json()) == (400, {"version": ["Cần gửi “version” hiện tại khi sửa một đánh giá đã có."]})


def test_bad_values_are_400_keyed_by_indicator_and_nothing_is_saved(api, cast, commune_a):
    body = {"criteria_set": "2016-2020", "values": [
        {"indicator": "10", "value": 40}, {"indicator": "14.2", "value": 101}, {"indicator": "9.9", "value": 1},
        {"indicator": "4.1", "value": "có"}, {"indicator": "1.1", "value": True},
        {"indicator": "15.1", "value": 90, "met": True},
    ]}
    response = api(cast.officer_a).put(url(commune_a), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "14.2": ["Tỷ lệ phải trong khoảng 0–100."],
        "9.9": ["Chỉ tiêu “9.9” không có trong bộ tiêu chí 2016-2020."],
        "4.1": ["Chỉ tiêu này nhận giá trị Có/Không (true/false)."],
        "1.1": ["Chỉ tiêu đánh giá theo nhận định (chưa có ngưỡng): cần cho biết đạt hay không đạt."],
        "15.1": ["Chỉ tiêu này được tính tự động theo ngưỡng; không nhập “đạt”."],
    }
    assert Assessment.objects.count() == 0


def test_messages_follow_accept_language(api, cast, commune_a):
    body = {"criteria_set": "2016-2020", "values": [{"indicator": "14.2", "value": -5}, {"indicator": "10", "value": -1}]}
    response = api(cast.officer_a, language="en").put(url(commune_a), body, format="json")
    assert response.json() == {
        "14.2": ["A percentage must be between 0 and 100."],
        "10": ["The value cannot be negative."],
    }


def test_unknown_set_is_400(api, cast, commune_a):
    response = api(cast.officer_a).put(url(commune_a), {"criteria_set": "1999", "values": []}, format="json")
    assert (response.status_code, response.json()) == (400, {"criteria_set": ["Không có bộ tiêu chí “1999”."]})


def test_a_stale_version_is_409(api, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    save(commune_a, set_2016, [{"indicator": "10", "value": 41}], cast.officer_a, version=1)
    response = api(cast.staff).put(url(commune_a), {"version": 1, "values": [{"indicator": "10", "value": 50}]}, format="json")
    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert IndicatorValue.objects.get().value_number == 41


def test_an_approved_assessment_is_423_until_reopened(api, cast, set_2016, commune_a):
    a = save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a)
    a = approve(assessment=submit(assessment=a, by=cast.officer_a), by=cast.staff)
    body = {"version": a.version, "values": [{"indicator": "10", "value": 20}]}
    response = api(cast.officer_a).put(url(commune_a), body, format="json")
    assert response.status_code == 423
    # reopening needs the version the province is looking at; then writable again
    response = api(cast.staff).post(url(commune_a, suffix="reopen/"), {}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["version"])
    response = api(cast.staff).post(url(commune_a, suffix="reopen/"), {"version": a.version}, format="json")
    assert response.json()["status"] == "draft"
    body["version"] = a.version + 1
    assert api(cast.officer_a).put(url(commune_a), body, format="json").status_code == 200


def test_scope_trio_on_put(api, cast, set_2016, commune_a, commune_b):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}], cast.officer_a)
    body = {"version": 1, "values": [{"indicator": "10", "value": 10}]}
    # the other district's officer → 403, row unchanged; leader and agency officer → 403
    for who in ("officer_b", "leader", "agency_officer"):
        assert api(getattr(cast, who)).put(url(commune_a), body, format="json").status_code == 403
    assert IndicatorValue.objects.get().value_number == 40
    assert ValueHistory.objects.count() == 1
    # officer_b cannot create one in district A either, but can in district B
    assert api(cast.officer_b).put(url(commune_a, period="2021-H2"), {"values": []}, format="json").status_code == 403
    assert api(cast.officer_b).put(url(commune_b), {"values": [{"indicator": "10", "value": 40}]}, format="json").status_code == 200
    assert Assessment.objects.count() == 2


def test_workflow_endpoints(api, cast, set_2016, commune_a):
    save(commune_a, set_2016, all_met_entries(set_2016), cast.officer_a)
    # officer of the other district cannot submit; the district officer can
    assert api(cast.officer_b).post(url(commune_a, suffix="submit/"), {}, format="json").status_code == 403
    response = api(cast.officer_a).post(url(commune_a, suffix="submit/"), {"version": 1}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["version"]) == (200, "submitted", 2)
    # only province staff approve / return
    assert api(cast.officer_a).post(url(commune_a, suffix="approve/"), {}, format="json").status_code == 403
    assert api(cast.leader).post(url(commune_a, suffix="return/"), {"comment": "x"}, format="json").status_code == 403
    # every step carries the version it was based on
    response = api(cast.staff).post(url(commune_a, suffix="return/"), {"comment": "x"}, format="json")
    assert (response.status_code, response.json()) == (
        400, {"version": ["Cần gửi “version” hiện tại của đánh giá (số phiên bản bạn đang xem)."]},
    )
    response = api(cast.staff).post(url(commune_a, suffix="return/"), {"version": 2}, format="json")
    assert (response.status_code, response.json()) == (400, {"comment": ["Cần ghi lý do trả lại."]})
    response = api(cast.staff).post(url(commune_a, suffix="return/"), {"comment": "Bổ sung minh chứng", "version": 2}, format="json")
    assert (response.json()["status"], response.json()["return_comment"]) == ("returned", "Bổ sung minh chứng")
    # illegal: approve a returned one; stale version on submit
    assert api(cast.staff).post(url(commune_a, suffix="approve/"), {"version": 3}, format="json").status_code == 400
    assert api(cast.officer_a).post(url(commune_a, suffix="submit/"), {"version": 2}, format="json").status_code == 409
    api(cast.officer_a).post(url(commune_a, suffix="submit/"), {"version": 3}, format="json")
    assert api(cast.staff).post(url(commune_a, suffix="approve/"), {"version": 4}, format="json").json()["status"] == "approved"
    assert api(cast.staff).post(url(commune_a, suffix="approve/"), {"version": 5}, format="json").status_code == 423
    assert api(cast.leader).post(URL.format(code=commune_a.code, period="2020-H1") + "submit/", {}, format="json").status_code == 404


def test_history_endpoint(api, cast, set_2016, commune_a):
    save(commune_a, set_2016, [{"indicator": "10", "value": 40}, {"indicator": "4.1", "value": True}], cast.officer_a)
    save(commune_a, set_2016, [{"indicator": "10", "value": "38,5"}], cast.staff, version=1)
    response = api(cast.leader).get(url(commune_a, suffix="history/"))
    assert response.status_code == 200
    rows = [{k: r[k] for k in ("indicator", "old", "new", "user", "source")} for r in response.json()["results"]]
    assert rows == [
        {"indicator": "10", "old": 40, "new": 38.5, "user": "staff", "source": "web"},
        {"indicator": "4.1", "old": None, "new": True, "user": "officer_a", "source": "web"},
        {"indicator": "10", "old": None, "new": 40, "user": "officer_a", "source": "web"},
    ] or rows == [
        {"indicator": "10", "old": 40, "new": 38.5, "user": "staff", "source": "web"},
        {"indicator": "10", "old": None, "new": 40, "user": "officer_a", "source": "web"},
        {"indicator": "4.1", "old": None, "new": True, "user": "officer_a", "source": "web"},
    ]
    assert "at" in response.json()["results"][0]


@pytest.fixture
def n_and_2n(cast, units):
    """The same commune assessed under a set of 19 indicators (N) and one of 38 (2N), every value entered."""
    commune = units.communes_a[1]
    sets = {"N": synthetic_set("N", 1), "2N": synthetic_set("2N", 2)}
    for criteria_set in sets.values():
        save(commune, criteria_set, [{"indicator": i.code, "value": 60} for i in criteria_set.indicators.all()], cast.officer_a)
    return commune, sets


def test_get_assessment_query_count_does_not_grow_with_indicators(api, cast, n_and_2n, django_assert_num_queries):
    commune, sets = n_and_2n
    client = api(cast.leader)
    client.get("/api/v1/criteria-sets/")  # warm caches
    # 1 commune, the frame (1 set by code, 1 a set chosen for the period, 1 the set in force), 1 assessment,
    # 3 catalogue (criteria, indicators, thresholds), 1 values, 1 results
    for code in ("N", "2N"):
        with django_assert_num_queries(10):
            response = client.get(url(commune) + f"?criteria_set={code}")
        assert len(response.json()["values"]) == len(sets[code].indicators.all())


def test_put_assessment_query_count_does_not_grow_with_indicators(api, cast, n_and_2n, django_assert_num_queries):
    commune, sets = n_and_2n
    client = api(cast.officer_a)
    client.get(url(commune) + "?criteria_set=N")  # warm caches
    # 1 commune, the frame (1 set, 1 a set chosen for the period, 1 the set in force), savepoint, 1 locked
    # assessment, 3 catalogue, 1 values, 1 results, 1 values bulk update,
    # 1 history bulk insert, 1 results bulk update, 1 version update, 1 refresh, release;
    # then the document: 1 set, 3 catalogue, 1 values, 1 results
    for code in ("N", "2N"):
        body = {"criteria_set": code, "version": 1,
                "values": [{"indicator": i.code, "value": 30} for i in sets[code].indicators.all()]}
        with django_assert_num_queries(23):
            response = client.put(url(commune), body, format="json")
        assert (response.status_code, response.json()["version"], response.json()["met_count"]) == (200, 2, 0)


def test_criteria_sets_query_count(api, cast, django_assert_num_queries):
    client = api(cast.leader)
    client.get("/api/v1/criteria-sets/")
    # 1 count, 1 sets, 1 criteria, 1 indicators, 1 thresholds — whatever the number of sets and indicators
    with django_assert_num_queries(5):
        client.get("/api/v1/criteria-sets/")
    synthetic_set("2N", 2)
    with django_assert_num_queries(5):
        assert client.get("/api/v1/criteria-sets/").json()["count"] == 5
