"""The journey engine on a small made-up journey: which pages apply, where to go, where it stops."""

from django import forms
from django.core.exceptions import ValidationError

from journeys.engine import Journey, Problem, Row, Step, Stop, problems_from, rows_from_forms


class AskedForm(forms.Form):
    asked = forms.ChoiceField(label="Did you ask?", choices=[("yes", "Yes"), ("no", "No")])


class WhenForm(forms.Form):
    on = forms.CharField(label="When?")


class PurposeForm(forms.Form):
    clear = forms.ChoiceField(label="Is the purpose clear?", choices=[("yes", "Yes"), ("no", "No")])


NO_PURPOSE = Stop("You cannot share without a clear purpose", "decisions/steps/purpose.html")

JOURNEY: Journey[dict] = Journey(
    name="example",
    title="An example",
    steps=(
        Step(
            "purpose", "Purpose", PurposeForm, stop=lambda v: NO_PURPOSE if v.get("clear") == "no" else None
        ),
        Step("asked", "Asking", AskedForm),
        Step("why-not", "Why not", WhenForm, applies=lambda v: v.get("asked") == "no"),
        Step("answer", "The answer", WhenForm, applies=lambda v: v.get("asked") == "yes"),
        Step("notes", "Notes", WhenForm),
    ),
)
PURPOSE, ASKED, WHY_NOT, ANSWER, NOTES = JOURNEY.steps


def test_a_step_applies_only_when_earlier_answers_call_for_it():
    assert JOURNEY.applicable({}) == [PURPOSE, ASKED, NOTES]
    assert JOURNEY.applicable({"asked": "yes"}) == [PURPOSE, ASKED, ANSWER, NOTES]
    assert JOURNEY.applicable({"asked": "no"}) == [PURPOSE, ASKED, WHY_NOT, NOTES]


def test_answers_of_a_page_switched_off_count_for_nothing():
    pages = {"purpose": {"clear": "yes"}, "asked": {"asked": "no"}, "answer": {"on": "Monday"}}
    # "answer" was given while "asked" was yes; now it is no, and its "on" must not reach the service.
    assert JOURNEY.values(pages) == {"clear": "yes", "asked": "no"}
    pages["why-not"] = {"on": "Tuesday"}
    assert JOURNEY.values(pages)["on"] == "Tuesday"


def test_next_and_back_skip_the_pages_that_do_not_apply():
    answers = {"asked": "yes"}
    assert JOURNEY.after(answers, ASKED) == ANSWER
    assert JOURNEY.before(answers, NOTES) == ANSWER
    assert JOURNEY.before(answers, PURPOSE) is None
    assert JOURNEY.after(answers, NOTES) is None  # then check your answers


def test_resuming_lands_on_the_first_unanswered_page_that_applies():
    pages = {"purpose": {"clear": "yes"}, "asked": {"asked": "yes"}, "notes": {"on": "x"}}
    assert JOURNEY.resume_at(JOURNEY.values(pages), answered=pages) == ANSWER
    pages["answer"] = {"on": "Monday"}
    assert JOURNEY.resume_at(JOURNEY.values(pages), answered=pages) is None  # check your answers


def test_a_step_can_stop_the_journey_and_nothing_after_it_applies():
    answers = JOURNEY.values({"purpose": {"clear": "no"}, "asked": {"asked": "yes"}})
    assert answers == {"clear": "no"}
    assert JOURNEY.applicable(answers) == [PURPOSE]
    assert JOURNEY.stopped(answers) == NO_PURPOSE
    assert JOURNEY.after(answers, PURPOSE) is None
    assert JOURNEY.stopped({"clear": "yes"}) is None


def test_progress_counts_the_pages_the_answers_call_for():
    assert JOURNEY.progress({}, ASKED) == (2, 3)
    assert JOURNEY.progress({"asked": "yes"}, ANSWER) == (3, 4)


def test_check_your_answers_rows_and_problems_name_the_page_that_asks():
    answers = {"clear": "yes", "asked": "no"}
    pages = {step: step.form_class() for step in JOURNEY.applicable(answers)}
    url = "/{}/".format
    assert rows_from_forms(pages, answers, lambda step: url(step.name)) == [
        Row("Is the purpose clear?", "Yes", "/purpose/"),
        Row("Did you ask?", "No", "/asked/"),
        Row("When?", "Not given", "/why-not/"),
        Row("When?", "Not given", "/notes/"),
    ]
    refused = ValidationError({"asked": "Ask first", "__all__": "Something else"})
    assert problems_from(refused, pages, lambda step: url(step.name)) == [
        Problem("Ask first", "/asked/"),
        Problem("Something else", ""),
    ]
    assert problems_from(ValidationError("Not now"), pages, lambda step: url(step.name)) == [
        Problem("Not now")
    ]
