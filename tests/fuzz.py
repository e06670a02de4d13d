"""Form fuzzing: post hundreds of generated submissions and prove nothing breaks or leaks in.

Any part can fuzz its forms with one call::

    from tests.fuzz import fuzz_form

    def test_fuzz_the_decision_form(csrf_client, practitioner):
        csrf_client.force_login(practitioner)
        fuzz_form(
            csrf_client,
            reverse("decisions:create"),
            {"summary": None, "shared_on": dates()},   # None: generated junk only
            watch=[Decision],                         # tables that must not change on failure
            may_create={Decision},                     # a valid submission may add a row
        )

Each submission mixes, per field: the field left out, a plausible value (the
strategy you give), very long strings, odd Unicode (NUL, right-to-left marks,
emoji, combining characters), wrong types (numbers, several values for one
field); plus extra fields (``extra_names`` you name, such as ``is_superuser``,
and random ones), and a CSRF token that is right, missing or wrong. It asserts:

- no response is a server error (status 500 or more);
- a missing or wrong CSRF token gets 403 and changes nothing;
- an unsuccessful submission (not in ``success``) changes no watched table
  (no partial write);
- a successful one changes only ``may_change`` fields of existing rows, adds
  rows only to ``may_create`` and removes them only from ``may_delete``;
- no value posted in an extra field is ever stored in a watched table.

The client must be made with ``enforce_csrf_checks=True`` (the ``csrf_client``
fixture). ``prepare`` runs before each submission (to sign in again, or to make
a fresh record); ``url`` may be a callable, called after ``prepare``.

A test that drives pages its own way (a journey whose pages depend on each other, a
query string) uses the same parts: ``fuzz_settings(examples)`` for hypothesis, and
``posted_names`` for the names a form's fields are posted under. Every fuzz test
carries the ``fuzz`` marker (``pytest -m "not fuzz"`` leaves them out), and
``FUZZ_EXAMPLES`` lowers every one's count while working on a form.
"""

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from django import forms
from django.db import models
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DEFAULT_EXAMPLES = 500
# Lowers every fuzz test's count while working on a form; the suite runs each test's own.
_AT_MOST = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None
MARKER = "XFUZZX"  # every extra field's value carries it; it must never be stored

# Characters that break naive code: NUL, bidi overrides, zero-width, combining marks,
# astral emoji, a lone surrogate is left out (it cannot be encoded to send at all).
ODD = "\x00\u202e\u200b\u0301\ufeff\U0001f600\u2028\\'\"<>&%;{}\r\n\t"


def _odd_text() -> st.SearchStrategy[str]:
    return st.text(
        alphabet=st.one_of(st.sampled_from(ODD), st.characters(exclude_categories=("Cs",))),
        max_size=40,
    )


def junk() -> st.SearchStrategy[Any]:
    """Values no form expects."""
    return st.one_of(
        _odd_text(),
        _odd_text().map(lambda text: (text or "a") * 600),  # very long
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.lists(_odd_text(), min_size=2, max_size=4),  # the same field several times
        st.sampled_from(["", " ", "0", "-1", "true", "on", "null", "None", "[]", "{}"]),
    )


def fuzz_settings(examples: int = DEFAULT_EXAMPLES) -> settings:
    """Hypothesis settings for a fuzz test: ``examples`` inputs, each a request or more, so no deadline;
    no example database; and none of the health checks that fixtures shared between examples and
    large generated inputs set off on purpose."""
    return settings(
        max_examples=min(examples, _AT_MOST or examples),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def posted_names(fields: Mapping[str, forms.Field]) -> list[str]:
    """The names a browser posts for these form fields: a field of several inputs (a GOV.UK date) as
    each of its parts, ``name_0`` to ``name_2``."""
    names = []
    for name, field in fields.items():
        parts = getattr(field.widget, "widgets", None)
        names.extend([f"{name}_{i}" for i in range(len(parts))] if parts else [name])
    return names


def _field_value(strategy: st.SearchStrategy | None) -> st.SearchStrategy[Any]:
    options = [junk(), st.just(_OMIT)]
    if strategy is not None:
        options = [strategy, strategy, *options]  # plausible values half the time
    return st.one_of(*options)


_OMIT = object()


def _snapshot(watch: Iterable[type[models.Model]]) -> dict[str, dict[Any, dict[str, Any]]]:
    return {model._meta.label: {row["pk"]: row for row in _rows(model)} for model in watch}


def _rows(model: type[models.Model]) -> list[dict[str, Any]]:
    names = [field.attname for field in model._meta.concrete_fields]
    return [
        {"pk": row[model._meta.pk.attname], **row}
        for row in model._default_manager.order_by("pk").values(*names)
    ]


def _differences(before, after, *, may_change, may_create, may_delete) -> list[str]:
    problems = []
    for label, rows_before in before.items():
        rows_after = after[label]
        added = rows_after.keys() - rows_before.keys()
        removed = rows_before.keys() - rows_after.keys()
        if added and label not in may_create:
            problems.append(f"{label}: rows added {sorted(added)}")
        if removed and label not in may_delete:
            problems.append(f"{label}: rows removed {sorted(removed)}")
        allowed = may_change.get(label, set())
        for pk in rows_before.keys() & rows_after.keys():
            changed = {k for k, v in rows_before[pk].items() if rows_after[pk][k] != v}
            if changed - set(allowed):
                problems.append(f"{label} {pk}: fields changed {sorted(changed - set(allowed))}")
    return problems


def fuzz_form(
    client: Client,
    url: str | Callable[[], str],
    fields: Mapping[str, st.SearchStrategy | None],
    *,
    watch: Iterable[type[models.Model]] = (),
    may_change: Mapping[type[models.Model], Collection[str]] | None = None,
    may_create: Collection[type[models.Model]] = (),
    may_delete: Collection[type[models.Model]] = (),
    extra_names: Iterable[str] = (),
    success: Collection[int] = (302,),
    prepare: Callable[[], None] | None = None,
    csrf_page: str | None = None,
    invariant: Callable[[], None] | None = None,
    examples: int | None = None,
) -> Counter:
    """Post ``examples`` generated submissions to ``url``; returns how many got each status."""
    assert client.handler.enforce_csrf_checks, "fuzz_form needs Client(enforce_csrf_checks=True)"
    watch = list(watch)
    change_allowed = {m._meta.label: set(names) for m, names in (may_change or {}).items()}
    creatable = {m._meta.label for m in may_create}
    deletable = {m._meta.label for m in may_delete}
    sensitive = [*extra_names, "is_superuser", "is_staff", "pk", "id", "lock_version"]
    statuses: Counter = Counter()

    extras = st.dictionaries(
        st.one_of(
            st.sampled_from(sensitive),
            st.from_regex(r"\A[a-z_]{1,20}\Z").filter(lambda name: name not in fields),
        ),
        st.sampled_from(["on", "1", "true", MARKER, f"{MARKER}@example.org"]),
        max_size=4,
    )
    submissions = st.fixed_dictionaries({name: _field_value(strategy) for name, strategy in fields.items()})

    @fuzz_settings(examples or DEFAULT_EXAMPLES)
    @given(data=submissions, extra=extras, csrf=st.sampled_from(["valid"] * 6 + ["missing", "wrong"]))
    def run(data: dict, extra: dict, csrf: str) -> None:
        if prepare is not None:
            prepare()
        target = url() if callable(url) else url
        if "csrftoken" not in client.cookies:
            client.get(csrf_page or target)
        payload = {name: value for name, value in data.items() if value is not _OMIT}
        payload.update({name: value for name, value in extra.items() if name not in fields})
        if csrf == "valid":
            payload["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
        elif csrf == "wrong":
            payload["csrfmiddlewaretoken"] = "x" * 32
        before = _snapshot(watch)

        response = client.post(target, payload)

        statuses[response.status_code] += 1
        assert response.status_code < 500, f"server error for {payload!r}"
        after = _snapshot(watch)
        if csrf != "valid":
            assert response.status_code == 403, f"CSRF {csrf} accepted: {response.status_code}"
        if csrf != "valid" or response.status_code not in success:
            assert after == before, f"partial write ({response.status_code}) for {payload!r}"
        else:
            problems = _differences(
                before, after, may_change=change_allowed, may_create=creatable, may_delete=deletable
            )
            assert problems == [], f"{problems} for {payload!r}"
        stored = repr(after)
        assert MARKER not in stored, f"an extra field was saved from {payload!r}"
        if invariant is not None:
            invariant()

    run()
    return statuses
