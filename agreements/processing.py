"""The record of processing for information sharing (UK GDPR Art 30; the DSPT asks, per sharing,
whether a written agreement is in place and when it ends): one row per agreement in force and
partner agency, with the agreement's parties, purposes, data categories and lawful basis."""

from agreements.models import Agreement
from agreements.selectors import RegisterState, register_rows

HEADER = [
    "Agreement",
    "Tier",
    "Status",
    "Owner",
    "Parties and their controller roles",
    "Purposes",
    "Categories of information shared",
    "Who may receive it",
    "Article 6 lawful basis",
    "Article 9 condition",
    "Retention",
    "DPIA reference",
    "Version in force",
    "Agency",
    "Kind of agency",
    "Written agreement in place",
    "Where the agency stands",
    "Signed on",
    "Agreement ends or is next reviewed",
]
IN_PLACE = {RegisterState.SIGNED_CURRENT, RegisterState.SIGNED_EARLIER}


def rows(on=None):
    """Every agreement in force (or under review) against every active agency, in words and dates."""
    agreements = Agreement.objects.select_related("owner").prefetch_related("purposes")
    for row in register_rows(agreements=agreements, on=on):
        agreement, version, signature = row.agreement, row.version, row.signature
        yield [
            agreement.title,
            agreement.get_tier_display(),
            agreement.get_status_display(),
            agreement.owner.name,
            agreement.parties_and_roles,
            "; ".join(agreement.purpose_labels()),
            agreement.data_items,
            agreement.recipients,
            agreement.get_lawful_basis_display(),
            agreement.get_article9_condition_display(),
            agreement.retention_and_disposal
            or (f"{agreement.retention_years} years" if agreement.retention_years else ""),
            agreement.dpia_reference,
            version.number if version else "None signed off",
            row.agency.name,
            row.agency.get_kind_display(),
            "Yes" if row.state in IN_PLACE else "No",
            row.state_label,
            signature.signed_on if signature is not None and row.state in IN_PLACE else None,
            version.next_review_date if version is not None else None,
        ]
