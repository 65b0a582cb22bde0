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
