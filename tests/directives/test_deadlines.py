"""Deadline labels as documents write them → the last day of the period they name."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from directives.deadlines import local_today, parse_due_label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        # quarters: the four quarter ends, written in every way offices write them
        ("Quý I/2021", date(2021, 3, 31)),
        ("Quý II/2021", date(2021, 6, 30)),
        ("Quý III/2021", date(2021, 9, 30)),
        ("Quý IV/2021", date(2021, 12, 31)),
        ("quý 3/2021", date(2021, 9, 30)),
        ("Quý 1/2024", date(2024, 3, 31)),
        ("Q3/2021", date(2021, 9, 30)),
        ("q4-2021", date(2021, 12, 31)),
        ("2021-Q3", date(2021, 9, 30)),
        ("2022-Q2", date(2022, 6, 30)),
        ("Quý III năm 2021", date(2021, 9, 30)),
        ("trong Quý III/2021", date(2021, 9, 30)),
        ("Quy III/2021", date(2021, 9, 30)),
        ("  QUÝ   II / 2021 ", date(2021, 6, 30)),
        # halves
        ("6 tháng đầu năm 2022", date(2022, 6, 30)),
        ("6 tháng cuối năm 2021", date(2021, 12, 31)),
        ("06 tháng cuối năm 2021", date(2021, 12, 31)),
        ("sáu tháng đầu năm 2023", date(2023, 6, 30)),
        ("2021-H1", date(2021, 6, 30)),
        ("2021-H2", date(2021, 12, 31)),
        # years
        ("năm 2021", date(2021, 12, 31)),
        ("Năm 2025", date(2025, 12, 31)),
        ("hết năm 2021", date(2021, 12, 31)),
        ("cuối năm 2021", date(2021, 12, 31)),
        ("2021", date(2021, 12, 31)),
        # months, including February of a leap year and 30/31-day months
        ("tháng 9/2021", date(2021, 9, 30)),
        ("Tháng 12/2021", date(2021, 12, 31)),
        ("tháng 02/2024", date(2024, 2, 29)),
        ("tháng 2/2023", date(2023, 2, 28)),
        ("tháng 9 năm 2021", date(2021, 9, 30)),
        ("09/2021", date(2021, 9, 30)),
        # dates
        ("trước ngày 30/9/2021", date(2021, 9, 30)),
        ("30/09/2021", date(2021, 9, 30)),
        ("1/10/2021", date(2021, 10, 1)),
        ("31-12-2021", date(2021, 12, 31)),
        ("ngày 15 tháng 10 năm 2021", date(2021, 10, 15)),
        ("2021-09-30", date(2021, 9, 30)),
        ("29/02/2024", date(2024, 2, 29)),
        # standing tasks have no deadline
        ("Thường xuyên", None),
        ("thuong xuyen", None),
    ],
)
def test_label_is_read_as_last_day_of_its_period(label, expected):
    assert parse_due_label(label) == expected


@pytest.mark.parametrize(
    "label",
    ["", "   ", "sớm", "Quý V/2021", "Quý 5/2021", "Q0/2021", "tháng 13/2021", "6 tháng giữa năm 2021",
     "trong thời gian tới", "2021-Q5", "30/09", "Quý III", "năm hai nghìn"],
)
def test_unreadable_label_is_refused_with_a_message_naming_it(label):
    with pytest.raises(ValidationError) as caught:
        parse_due_label(label)
    assert caught.value.code == "unreadable_deadline"
    assert caught.value.messages == [
        f"Không đọc được thời hạn “{label.strip()}”. Hãy ghi một ngày (30/09/2021) hoặc một kỳ như “Quý III/2021”, "
        "“tháng 9/2021”, “6 tháng cuối năm 2021”, “năm 2021”, hoặc “Thường xuyên”."
    ]


@pytest.mark.parametrize("label", ["31/02/2021", "29/02/2023", "31/9/2021", "2021-02-30"])
def test_impossible_date_is_refused(label):
    with pytest.raises(ValidationError) as caught:
        parse_due_label(label)
    assert caught.value.messages == [f"“{label}” không phải là một ngày có thật."]


def test_year_outside_range_is_refused():
    with pytest.raises(ValidationError) as caught:
        parse_due_label("năm 1999")
    assert caught.value.messages == ["Năm 1999 trong thời hạn “năm 1999” nằm ngoài khoảng 2000–2100."]


def test_message_is_translated_to_english():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_due_label("sớm")
    assert caught.value.messages[0].startswith("Cannot read the deadline “sớm”.")


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        # Asia/Ho_Chi_Minh is UTC+7: 16:59 UTC on 30/09 is still 30/09 there, 17:00 UTC is already 01/10
        (datetime(2021, 9, 30, 16, 59, tzinfo=UTC), date(2021, 9, 30)),
        (datetime(2021, 9, 30, 17, 0, tzinfo=UTC), date(2021, 10, 1)),
        (datetime(2021, 12, 31, 17, 30, tzinfo=UTC), date(2022, 1, 1)),
    ],
)
def test_today_is_the_date_in_ho_chi_minh_city(utc_moment, expected):
    assert local_today(utc_moment) == expected
