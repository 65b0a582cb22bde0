"""config.forms.QuickSelect: the markup of Django's Select, rendered in Python (issue 17, the cold dashboard)."""

import datetime
import re

import pytest
from django import forms
from django.template.loader import render_to_string

from config.forms import QuickSelect

CHOICES = [
    ("", "Cả nước"),
    ("01", "Hà Nội & <Ba Đình>"),
    ('Nhóm "A"', [("a1", "Xã A1 'một'"), (2, "Hai")]),
]


def _pair(attrs=None):
    class Django(forms.Form):
        optional = forms.ChoiceField(choices=CHOICES, required=False, widget=forms.Select(attrs=attrs))
        needed = forms.ChoiceField(choices=CHOICES, required=True)

    class Quick(forms.Form):
        optional = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect(attrs=attrs))
        needed = forms.ChoiceField(choices=CHOICES, required=True, widget=QuickSelect)

    return Django, Quick


def _markup(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()  # Django's templates put line breaks between options


@pytest.mark.parametrize("data", [{}, {"optional": "01", "needed": "2"}, {"optional": "a1"}, {"needed": "zz"}])
@pytest.mark.parametrize("attrs", [None, {"class": 'wide "x"', "disabled": True, "hidden": False, "data-n": 3}])
def test_the_markup_is_djangos(data, attrs):
    django_form, quick_form = _pair(attrs)
    for name in ("optional", "needed"):
        expected = _markup(django_form(data)[name])
        assert _markup(quick_form(data)[name]) == expected
    # what the comparison covers: escaping, the selected option, boolean and error attributes, groups
    rendered = _markup(quick_form(data)["needed"])
    assert "Hà Nội &amp; &lt;Ba Đình&gt;" in rendered and '<optgroup label="Nhóm &quot;A&quot;">' in rendered
    if data.get("needed") == "2":
        assert '<option value="2" selected>Hai</option>' in rendered
    if data and data.get("needed") != "2":  # bound, and "needed" missing or not a choice
        assert 'aria-invalid="true"' in rendered


def test_the_overview_filters_use_it():
    from overview.views import OverviewFilterForm

    form = OverviewFilterForm({"period": "2021-H1"}, provinces=[], districts=[], today=datetime.date(2026, 12, 3))
    for name in ("period", "province", "district", "include"):
        assert isinstance(form.fields[name].widget, QuickSelect)
    html = render_to_string("overview/_filters.html", {"form": form})
    assert '<option value="2021-H1" selected>' in html
