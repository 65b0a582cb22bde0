"""Vietnamese first, English second; dd/mm/yyyy and the decimal comma."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from communes.templatetags.ntm import decimal1, dmy, number

pytestmark = pytest.mark.django_db


def test_pages_default_to_vietnamese_even_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_user_can_switch_pages_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Username" in html


def test_api_messages_follow_accept_language(api, cast):
    from django.utils import timezone

    day = f"{timezone.localdate():%d/%m/%Y}"
    assert api(cast.leader, language="vi").get("/api/v1/communes/99999/").json() == {
        "detail": f"Không có đơn vị hành chính mã 99999 có hiệu lực ngày {day}."}
    assert api(cast.leader, language="en").get("/api/v1/communes/99999/").json() == {
        "detail": f"No administrative unit with code 99999 is valid on {day}."}
    assert api(cast.leader, language="en").get("/api/v1/districts/999/").json() == {"detail": "Not found."}


@pytest.mark.parametrize(("language", "expected"), [("vi", "11,9"), ("en", "11.9")])
def test_decimal_comma(language, expected):
    with translation.override(language):
        assert decimal1(Decimal("11.904")) == expected
        assert decimal1(Decimal("11.86")) == expected


def test_numbers_and_dates():
    with translation.override("vi"):
        assert decimal1(Decimal("11.904")) == "11,9"
        assert decimal1(None) == "–"
        assert number(Decimal("26.700")) == "26,7"
        assert number(36) == "36"
        assert number(1234567) == "1.234.567"
    assert dmy(datetime.date(2021, 8, 16)) == "16/08/2021"
    aware = datetime.datetime(2021, 8, 15, 20, 30, tzinfo=datetime.UTC)
    assert dmy(aware) == "16/08/2021 03:30"  # Asia/Ho_Chi_Minh is UTC+7


# --------------------------------------------------------------------------------------------------- catalogues


def _catalogue_files():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    return sorted(path for path in root.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in path.parts)


def _entries(path):
    """(flags, previous-msgid comments, msgctxt, msgid, msgid_plural, msgstrs) of every entry of a .po file."""
    import ast

    entries, current, field = [], None, None

    def finish():
        if current is not None:
            entries.append(current)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            finish()
            current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "previous": [], "msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#|"):
            current["previous"].append(line)
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                current["msgstr"][field[1]] += value
            else:
                current[field] += value
        else:
            keyword, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            if keyword in ("msgctxt", "msgid") and current["msgstr"]:  # an entry with no blank line before it
                finish()
                current = {"flags": set(), "previous": [], "msgctxt": None, "msgid": "", "msgid_plural": None,
                           "msgstr": {}}
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[7:-1]))
                current["msgstr"][field[1]] = value
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                current["msgstr"][0] = value
            else:
                field = keyword
                current[keyword] = value
    return entries


def test_catalogues_are_found():
    from django.conf import settings

    names = {str(path.relative_to(settings.BASE_DIR)) for path in _catalogue_files()}
    assert "locale/en/LC_MESSAGES/django.po" in names
    assert len(names) >= 8


@pytest.mark.parametrize("path", _catalogue_files(), ids=str)
def test_no_fuzzy_or_unreviewed_entry_in_any_catalogue(path):
    """A fuzzy entry (or a leftover "#|" previous msgid of one) is an unfinished guess: Django's compilemessages
    would leave it out or, flag removed by hand, compile a wrong meaning. Every entry is reviewed and final."""
    unfinished = [
        entry["msgid"] or "(header)" for entry in _entries(path) if "fuzzy" in entry["flags"] or entry["previous"]
    ]
    assert unfinished == []


@pytest.mark.parametrize("path", _catalogue_files(), ids=str)
def test_compiled_catalogue_matches_its_source(path):
    """Each .mo holds exactly the .po's translations (no stale compile, nothing dropped)."""
    import gettext

    with path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    mismatched = []
    for entry in _entries(path):
        if not entry["msgid"] or not any(entry["msgstr"].values()):
            continue
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"] is None:
            got = compiled._catalog.get(key)
            if got != entry["msgstr"][0]:
                mismatched.append((entry["msgid"], entry["msgstr"][0], got))
        else:
            for index, text in entry["msgstr"].items():
                if compiled._catalog.get((key, index)) != text:
                    mismatched.append((entry["msgid"], text, compiled._catalog.get((key, index))))
    assert mismatched == []


@pytest.mark.parametrize(
    ("msgid", "english"),
    [
        ("Nguy cơ mất chuẩn", "At risk of losing the standard"),
        ("Chỉ tiêu", "Targets"),  # the menu's targets page (communes:targets), not the criteria sets
        ("Bạn không có quyền yêu cầu báo cáo.", "You may not request reports."),
        ("Cán bộ huyện chỉ được yêu cầu báo cáo của huyện mình.",
         "A district officer may request reports for their own district only."),
    ],
)
def test_menu_and_permission_messages_mean_the_same_in_english(msgid, english):
    with translation.override("en"):
        assert translation.gettext(msgid) == english


def test_english_menu_has_no_duplicate_labels(login, cast):
    import re

    client = login(cast.staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/dashboard/").content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    labels = re.findall(r">([^<>]+?)(?: <span|</a>)", nav)
    assert len(labels) == len(set(labels)) >= 10
    assert "Targets" in labels and "At risk of losing the standard" in labels


# --------------------------------------------------------------------------------------------------- form inputs


def _day_form():
    from django import forms

    from config.forms import DayInput

    class DayForm(forms.Form):
        day = forms.DateField(widget=DayInput)

    return DayForm


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_inputs_take_and_show_dd_mm_yyyy_in_both_languages(language):
    DayForm = _day_form()
    with translation.override(language):
        form = DayForm({"day": "03/04/2021"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2021, 4, 3)  # 3 April, never 4 March
        html = str(DayForm(initial={"day": datetime.date(2021, 8, 16)})["day"])
        assert 'type="text"' in html and 'value="16/08/2021"' in html and 'placeholder="dd/mm/yyyy"' in html


def test_a_bad_date_is_refused_with_a_translated_message():
    DayForm = _day_form()
    with translation.override("vi"):
        form = DayForm({"day": "31/02/2021"})
        assert form.is_valid() is False
        assert form.errors["day"] == ["Nhập một ngày hợp lệ."]


def test_no_page_form_uses_the_browsers_date_picker():
    """Every date field of the pages' forms renders as a dd/mm/yyyy text box (the browser's picker would
    follow its own locale, mm/dd/yyyy in an English browser)."""
    from directives.forms import DateInput
    from ocop.forms import DATE_WIDGET as OCOP_DATE
    from reports.forms import DATE_WIDGET as REPORT_DATE

    for widget in (DateInput(), OCOP_DATE, REPORT_DATE):
        assert (widget.input_type, widget.format) == ("text", "%d/%m/%Y")


@pytest.mark.parametrize(("language", "typed", "expected"), [("vi", "11,9", "11.9"), ("en", "11.9", "11.9")])
def test_decimal_fields_take_the_languages_separator(language, typed, expected):
    from django import forms

    class NumberForm(forms.Form):
        value = forms.DecimalField(localize=True)

    with translation.override(language):
        form = NumberForm({"value": typed})
        assert form.is_valid(), form.errors
        assert str(form.cleaned_data["value"]) == expected


def test_labels_instead_of_codes():
    from overview.templatetags.labels import period_label, recorded_value, source_label, yes_no

    with translation.override("vi"):
        assert [period_label("2021-H1"), period_label("2026")] == ["6 tháng đầu năm 2021", "Năm 2026"]
        assert [recorded_value("true"), recorded_value("false"), recorded_value("80.300"), recorded_value("")] == [
            "Có", "Không", "80,3", "–"]
        assert [yes_no(True), yes_no(False), yes_no(None)] == ["Có", "Không", "–"]
        assert source_label("excel") == "Tệp Excel"
    with translation.override("en"):
        assert [period_label("2021-H2"), recorded_value("true"), recorded_value("80.300")] == [
            "second half of 2021", "Yes", "80.3"]
        assert source_label("web") == "Entry page"


def test_admin_names_are_proper_english_plurals():
    """No "Value historys", no plural that is the singular again (Vietnamese has one form for both)."""
    from django.apps import apps

    ours = ("accounts", "communes", "criteria", "ocop", "directives", "reports")
    with translation.override("en"):
        names = [
            (model.__name__, str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
            for model in apps.get_models() if model._meta.app_label in ours
        ]
    wrong = [(name, plural) for name, singular, plural in names if plural == singular or plural.endswith("ys")]
    assert len(names) >= 30
    assert wrong == []
