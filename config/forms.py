"""Form plumbing shared by the pages of every app."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


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
