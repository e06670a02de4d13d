from tests.url_matrix import Route, allow


def _submitted(personas, **overrides):
    from tests.decisions.factories import submitted_decision
    from tests.factories import AgencyFactory

    recipient = AgencyFactory(name="Matrix Recipient Police", kind="police")
    return {"pk": submitted_decision(personas["practitioner"], recipient, **overrides).pk}


def _draft(personas):
    from tests.decisions.factories import draft_decision
    from tests.factories import AgencyFactory

    recipient = AgencyFactory(name="Matrix Recipient Police", kind="police")
    return {"pk": draft_decision(personas["practitioner"], recipient).pk}


def _no_share(personas):
    return _submitted(personas, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"})


RECORDERS = ("practitioner", "lead", "outsider")
READERS = ("practitioner", "lead", "ig_officer", "partnership_ig")


def _child(personas):
    from tests.decisions.factories import child_for

    return {"pk": child_for(personas["practitioner"]).pk}


IG = ("ig_officer", "partnership_ig")

ROUTES = {
    "decisions:list": Route(allow(*RECORDERS)),
    "decisions:new": Route(allow(*RECORDERS)),
    "decisions:review_queue": Route(allow("lead")),
    "decisions:log": Route(allow("lead", "ig_officer", "partnership_ig")),
    # Taking the log away as a spreadsheet is information governance's: leads read it on screen.
    "decisions:log_export": Route(allow("ig_officer", "partnership_ig")),
    "decisions:log_export_xlsx": Route(allow("ig_officer", "partnership_ig")),
    "decisions:detail": Route(allow(*READERS, outsider=404), kwargs=_submitted),
    "decisions:pdf": Route(allow(*READERS, outsider=404), kwargs=_submitted),
    # A draft is its author's alone: a lead of the same agency does not see it either.
    "decisions:step": Route(
        allow("practitioner", lead=404, outsider=404),
        kwargs=lambda personas: {**_draft(personas), "step": "advice"},
    ),
    "decisions:check": Route(allow("practitioner", lead=404, outsider=404), kwargs=_draft),
    "decisions:resume": Route(allow("practitioner", ok=302, lead=404, outsider=404), kwargs=_draft),
    "decisions:review": Route(allow("lead", outsider=404), kwargs=_submitted),
    "decisions:addendum": Route(allow("practitioner", "lead", outsider=404), kwargs=_submitted),
    "decisions:reconsider": Route(
        allow("practitioner", "lead", ok=302, outsider=404), kwargs=_no_share, method="POST"
    ),
    "decisions:legal_holds": Route(allow(*IG)),
    "decisions:legal_hold": Route(allow(*IG), kwargs=_submitted),
    "decisions:child_legal_hold": Route(allow(*IG), kwargs=_child),
}
