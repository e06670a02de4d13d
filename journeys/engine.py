"""Question-page journeys: one question a page, then check your answers, then the service.

The guided decision (``decisions.journeys``) and the competence assessment and consent record
(``consent.journeys``) run on this. A journey is an ordered tuple of steps. From the answers
given so far this works out which steps apply, where to go next or back, where to pick up
again, how far along the person is, and whether the flowchart has stopped. ``Journey`` knows
nothing of requests, URLs or storage, so each app's views stay thin and behave alike.

"The answers" are whatever a journey's predicates read, because the two kinds keep them apart:

- a decision is a record from its first page (a draft ``Decision``: listed, audited page by
  page, locked on submit), so its answers are the decision itself;
- an assessment or a consent record is written only when its journey ends (a ``RecordJourney``),
  so its answers wait page by page in a ``journeys.models.Draft`` and are read through
  ``Journey.values``.

A page's form is bound only to what the person posted, never to stored answers (those are its
initial values), so errors are shown only after they submit the page.
"""

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import NamedTuple

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import strip_tags

from isa_portal.web import display_value


@dataclass(frozen=True)
class Stop:
    """Where the flowchart ends: a page (``template``) saying why, and what to do instead."""

    title: str
    template: str


def always(answers: object) -> bool:
    return True


def never(answers: object) -> Stop | None:
    return None


@dataclass(frozen=True)
class Step[A]:
    """One question page; ``A`` is what its journey's answers are (a decision, a draft's dict).

    ``applies`` and ``stop`` read only answers from pages before this one (and ``stop`` this
    page's own): that is what "when earlier answers call for it" means, and it is what lets a
    changed answer switch later pages off.
    """

    name: str  # also the last part of the page's URL
    title: str  # the page's heading
    form_class: type[forms.Form]
    applies: Callable[[A], bool] = always
    stop: Callable[[A], Stop | None] = never
    intro: str = ""  # a template shown above the questions
    # Still asked once an earlier step has stopped the journey: what records the stop (why not
    # sharing, the advice taken). No other step applies after a stop.
    after_stop: bool = False


class Progress(NamedTuple):
    number: int
    total: int  # of the steps the answers so far call for: it can grow as they are given


@dataclass(frozen=True)
class Journey[A]:
    name: str
    title: str
    steps: tuple[Step[A], ...]

    def step(self, name: str) -> Step[A] | None:
        return next((step for step in self.steps if step.name == name), None)

    def applicable(self, answers: A) -> list[Step[A]]:
        """The steps these answers call for, in order: after one that stops the journey, only
        those that record the stop (``after_stop``)."""
        found = []
        stopped = False
        for step in self.steps:
            if stopped and not step.after_stop:
                continue
            if step.applies(answers):
                found.append(step)
                if not stopped and step.stop(answers):
                    stopped = True
        return found

    def values(self, pages: dict[str, dict]) -> dict:
        """A draft's answers as one dict, taken page by page from the pages that apply.

        Each predicate sees only the answers before its page, so a page switched off by a changed
        answer keeps its answers out of "check your answers" and out of the service (two pages
        may ask the same question: the consent journey asks "given_on" when consent was not
        sought and when it was answered).
        """
        values: dict = {}
        stopped = False
        for step in self.steps:
            if stopped and not step.after_stop:
                continue
            if step.applies(values):
                values.update(pages.get(step.name, {}))
                if not stopped and step.stop(values):
                    stopped = True
        return values

    def after(self, answers: A, step: Step[A]) -> Step[A] | None:
        """The next step that applies; None means check your answers (or the stop page, if ``stopped``)."""
        applicable = self.applicable(answers)
        later = self.steps[self.steps.index(step) + 1 :]
        return next((other for other in later if other in applicable), None)

    def before(self, answers: A, step: Step[A]) -> Step[A] | None:
        applicable = self.applicable(answers)
        earlier = self.steps[: self.steps.index(step)]
        return next((other for other in reversed(earlier) if other in applicable), None)

    def resume_at(self, answers: A, answered: Collection[str]) -> Step[A] | None:
        """Where to pick up: the first step that applies and has no answer; None means check your answers."""
        return next((step for step in self.applicable(answers) if step.name not in answered), None)

    def stopped(self, answers: A) -> Stop | None:
        """Why the journey cannot go on, if a step's answer has ended it."""
        for step in self.applicable(answers):
            if stop := step.stop(answers):
                return stop
        return None

    def stopped_at(self, answers: A) -> Step[A] | None:
        """The step whose answer ended the journey, if one has."""
        return next((step for step in self.applicable(answers) if step.stop(answers)), None)

    def progress(self, answers: A, step: Step[A]) -> Progress:
        applicable = self.applicable(answers)
        return Progress(applicable.index(step) + 1, len(applicable))


@dataclass(frozen=True)
class RecordJourney(Journey[dict]):
    """A journey whose record is written only when it ends, from its draft's answers
    (``journeys.services.journey_complete``)."""

    complete: Callable[..., models.Model]  # the service: (*, child, user, values) -> the record
    confirmation_url_name: str  # the page that says the record is saved


# Check your answers -------------------------------------------------------------------------------


class Row(NamedTuple):
    label: str
    value: str
    change_url: str | None = None


class Section(NamedTuple):
    title: str  # blank: the rows stand under the page's own heading
    rows: list[Row]


class Problem(NamedTuple):
    """Something that stops the answers being saved, linked to the page that can put it right."""

    message: str
    url: str = ""


def rows_from_forms(
    pages: dict[Step, forms.Form], values: dict, change_url: Callable[[Step], str]
) -> list[Row]:
    """Each question of a draft's pages, as its form asks it, with its answer and where to change it."""
    return [
        Row(strip_tags(str(field.label)), display(field, values.get(name)), change_url(step))
        for step, form in pages.items()
        for name, field in form.fields.items()
    ]


def problems_from(
    error: ValidationError, pages: dict[Step, forms.Form], url: Callable[[Step], str]
) -> list[Problem]:
    """A service's refusal as check-your-answers problems, each linked to the page asking that question."""
    if not hasattr(error, "error_dict"):
        return [Problem(message) for message in error.messages]
    problems = []
    for field_name, messages in error.message_dict.items():
        page = next((step for step, form in pages.items() if field_name in form.fields), None)
        problems.extend(Problem(message, url(page) if page else "") for message in messages)
    return problems


def display(field: forms.Field, value) -> str:
    """A stored answer as the person chose it: the option's label, the agency's name, the date."""
    if value in (None, "", []):
        return display_value(None)
    # Choices from the database are looked up: the page may offer fewer now than when answered.
    if isinstance(field, forms.ModelMultipleChoiceField):
        return display_value([str(obj) for obj in field.queryset.filter(pk__in=value)])
    if isinstance(field, forms.ModelChoiceField):
        obj = field.queryset.filter(pk=value).first()
        return field.label_from_instance(obj) if obj else "No longer available"
    if isinstance(field, DateInputField):
        value = datetime.date.fromisoformat(value)  # a draft keeps dates as text
    return display_value(value, choices=getattr(field, "choices", ()))
