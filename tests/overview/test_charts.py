"""Server-side SVG charts: well-formed, self-contained, localised numbers, escaped labels."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from overview import charts
from overview import selectors as summary

from .conftest import frame

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_column_chart_draws_one_bar_per_value_with_a_title():
    root = parse(charts.column_chart([("0", 0), ("1", 3), ("2", 7)], title="Số xã <theo> điểm", x_label="Điểm"))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Số xã <theo> điểm"
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 3
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["0: 0", "1: 3", "2: 7"]
    assert float(bars[2].get("height")) > float(bars[1].get("height")) > float(bars[0].get("height")) == 0


def test_bar_chart_scales_to_the_maximum_and_uses_the_decimal_comma():
    with translation.override("vi"):
        svg = charts.bar_chart([charts.Bar("Tuần Giáo", 11.94), charts.Bar("Mường Chà", 9.5, extra=1)], title="BQ", maximum=19, marker=10.2, marker_label="Bình quân")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "11,9" in texts and "9,5" in texts and "Bình quân" in texts
    assert "<script" not in str(svg) and "http://" not in str(svg).replace("http://www.w3.org/2000/svg", "")


def test_localised_numbers_follow_the_language():
    with translation.override("vi"):
        assert charts.localised(Decimal("11.89"), 1) == "11,9"
        assert charts.localised(115) == "115"
    with translation.override("en"):
        assert charts.localised(Decimal("11.89"), 1) == "11.9"
    assert charts.localised(None) == "–"


def test_paired_bars_name_both_series():
    root = parse(charts.paired_bars([("Mường Chà · Đạt chuẩn", 1, 0)], title="Chỉ tiêu", series=("Chỉ tiêu", "Đã đạt")))
    titles = [rect.find(f"{SVG}title").text for rect in root.findall(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert titles == ["Mường Chà · Đạt chuẩn — Chỉ tiêu: 1", "Mường Chà · Đạt chuẩn — Đã đạt: 0"]


@pytest.mark.django_db
def test_summary_charts_for_a_summary(scenario):
    result = summary.province_summary(frame=frame("2021-H1"))
    with translation.override("vi"):
        drawn = charts.summary_charts(result)
    assert sorted(drawn) == ["criteria", "districts", "score"]
    for svg in drawn.values():
        parse(svg)
    assert len(parse(drawn["score"]).findall(f"{SVG}rect")) == 20
    assert "Bình quân chung: 13,0" in str(drawn["districts"])
    assert "15/4" not in str(drawn["criteria"]) and "3/4" in str(drawn["criteria"])


@pytest.mark.parametrize(("counts", "ticks"), [
    ([0, 1], ["0", "1"]), ([1, 2], ["0", "1", "2"]), ([3, 1], ["0", "1", "2", "3"]),
    ([5, 2], ["0", "1", "2", "3", "4", "5"]), ([7], ["0", "2", "4", "6", "8"]), ([23], ["0", "5", "10", "15", "20", "25"]),
])
def test_column_chart_ticks_are_whole_numbers(counts, ticks):
    import re

    svg = str(charts.column_chart([(str(i), v) for i, v in enumerate(counts)], title="Số xã"))
    labels = re.findall(r'<text[^>]*text-anchor="end"[^>]*>([^<]*)</text>', svg)
    assert labels == ticks
