"""Form plumbing shared by the pages of every app."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def apply_service_errors(
    form: forms.Form, error: ValidationError, *, field_name: Callable[[str], str] | None = None
) -> None:
    """Show a service's ValidationError on a form: each message on its field, the rest at the top.

    ``field_name`` maps a service's field key to the form's field name where the two differ.
    """
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        target = field_name(key) if field_name else key
        target = target if target in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DayInput(forms.DateInput):
    """A date typed as dd/mm/yyyy whatever the browser's locale (a text box, not the browser's date picker,
    which shows mm/dd/yyyy in an English browser). The server parses it (DATE_INPUT_FORMATS of both
    languages: dd/mm/yyyy, then yyyy-mm-dd) and answers a translated error for anything else."""

    input_type = "text"
    PATTERN = r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"

    def __init__(self, attrs=None):
        defaults = {"placeholder": "dd/mm/yyyy", "pattern": self.PATTERN, "inputmode": "numeric", "size": 10,
                    "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


def _attributes(attrs: dict) -> str:
    """HTML attributes in their order, as django/forms/widgets/attrs.html writes them: False left out, True
    as the bare name, anything else as name="value" (escaped)."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)))
    return mark_safe("".join(parts))  # each part escaped by format_html


class QuickSelect(forms.Select):
    """A <select> rendered in Python, with the same markup as Django's template-rendered Select.

    Django renders a Select through templates, two included templates per option: the overview's filters
    (63 provinces, the periods, the districts) cost about 15 ms a render that way, on each cold page. Here
    the options come from the widget's own context (``optgroups``: values, labels, selection) and are
    escaped by ``format_html``; attributes as Django's attrs.html writes them (``_attributes``).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html(
                    '<option value="{}"{}>{}</option>', str(option["value"]), _attributes(option["attrs"]), option["label"],
                ))
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every part escaped by format_html above
