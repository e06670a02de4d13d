"""Template filters for writing values as people read them (a builtin: no ``{% load %}`` needed)."""

import datetime

from django import template

from isa_portal import web

register = template.Library()


@register.filter(expects_localtime=True)
def long_date(value: datetime.date | None) -> str:
    """``{{ day|long_date }}``: "5 March 2026" (a date and time on the local calendar); "" for none,
    so ``|default:"..."`` can follow."""
    if not isinstance(value, datetime.date):
        return ""
    return web.long_date(value)
