"""Template filters for writing values as people read them (a builtin: no ``{% load %}`` needed)."""

import datetime

from django import template

from isa_portal import fixed_urls, web

register = template.Library()


@register.simple_tag(name="fixed_url")
def fixed_url(name: str) -> str:
    """``{% fixed_url "accounts:logout" %}``: what ``{% url "accounts:logout" %}`` writes, for a URL
    with no arguments that every page's layout writes (looked up once: ``isa_portal.fixed_urls``)."""
    return fixed_urls.fixed_url(name)


@register.filter(expects_localtime=True)
def long_date(value: datetime.date | None) -> str:
    """``{{ day|long_date }}``: "5 March 2026" (a date and time on the local calendar); "" for none,
    so ``|default:"..."`` can follow."""
    if not isinstance(value, datetime.date):
        return ""
    return web.long_date(value)


@register.filter
def possessive(value) -> str:
    """``{{ agency.name|possessive }}``: "Riverside School's", "Children's Services'"."""
    return web.possessive(value)


@register.filter(expects_localtime=True)
def time_of_day(value) -> str:
    """``{{ moment|time_of_day }}``: "2:13pm", "9am", "midday"; "" for none."""
    if not isinstance(value, datetime.datetime | datetime.time):
        return ""
    return web.time_of_day(value)
