"""What every page does the same way: read a posted form, show a service's refusal on it, and
write a stored value or a date as a person reads it.

Templates write a date with the ``long_date`` filter (``isa_portal.templatetags.isa_display``,
loaded in every template), Python with ``long_date()``: the same words either way.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import dateformat, timezone

# GOV.UK style: "5 March 2026", no leading zero, the month in full (Django's date format letters).
LONG_DATE = "j F Y"
NOT_GIVEN = "Not given"
NOT_ANSWERED = "Not answered"


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted answers on a POST (even none at all, so an empty form is checked and its
    errors shown), else None for an unbound form. ``request.POST or None`` would take an empty
    POST for a first visit."""
    return request.POST if request.method == "POST" else None


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's refusal beside the answer it is about, or above the form when it is
    about none of the form's questions."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def save_if_valid[T](request: HttpRequest, form: BaseForm, save: Callable[[], T]) -> T | None:
    """On a POST of a valid form, run ``save`` (the service call) and return what it returns.
    None while there is something to put right: nothing posted yet, an answer the form refuses,
    or a refusal from the service, which is shown on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def long_date(value: datetime.date) -> str:
    """A date (or a date and time, on the local calendar) as "5 March 2026"."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, LONG_DATE)


_MONTHS_SHORT = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(value: datetime.date, *, seconds: bool = False) -> str:
    """A date as tables write it, "5 Mar 2026" (Django's "j M Y"), local time; with ``seconds``,
    a date and time as "5 Mar 2026 14:03:27" ("j M Y H:i:s"). Plain Python for lists: the ``date``
    filter costs tens of microseconds a cell."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = f"{value.day} {_MONTHS_SHORT[value.month]} {value.year}"
    return f"{text} {value:%H:%M:%S}" if seconds else text


def url_of_pk(name: str) -> Callable[[int], str]:
    """The URL of the view ``name`` for any record's pk, reversed once: for a list's rows, where
    ``{% url %}`` or ``reverse`` per row costs tens of microseconds a link."""
    marker = 987654321
    before, _, after = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def possessive(name: object) -> str:
    """ "Riverside School's", "Children's Services'" (not "Services's"): the name that owns something."""
    text = str(name).rstrip()
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"


def time_of_day(value: datetime.datetime | datetime.time) -> str:
    """GOV.UK style time: "9am", "2:13pm", "midday", "midnight" (local time for an aware datetime)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.time()
    if value.minute == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def display_value(value, *, choices=(), empty: str = NOT_GIVEN, joiner: str = ", ") -> str:
    """A stored value as a person reads it: a choice by its label, a list of them joined, Yes or
    No, a date written out, and ``empty`` where there is nothing."""
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return empty
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return long_date(value)
    labels = {str(key): str(label) for key, label in choices}
    if isinstance(value, list | tuple):
        return joiner.join(labels.get(str(item), str(item)) for item in value)
    return labels.get(str(value), str(value))


def field_display(obj: models.Model, name: str) -> str:
    """A record's field as ``display_value`` writes it, by the field's own choices. A yes-or-no
    question left blank is "Not answered"."""
    field = obj._meta.get_field(name)
    empty = NOT_ANSWERED if field.get_internal_type() == "BooleanField" else NOT_GIVEN
    return display_value(getattr(obj, name), choices=field.flatchoices, empty=empty)
