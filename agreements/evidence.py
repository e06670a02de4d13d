"""The evidence a signature keeps (issue 20, item 2): what exactly was signed, what the signer
confirmed, and the signature page.

``version_sha256`` is the one definition of "the content of a version": a signature stores it
when signed, and showing the signature hashes the version again to say whether it still matches.
``STATEMENTS`` are the signature page's statements, in the words of the code that asks for them.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from django.core.files.base import ContentFile
from django.utils import timezone

from agreements.models import AgreementVersion, Signature
from isa_portal.pdf import render_pdf

# Source: Buckinghamshire Multi-Agency Information Sharing Code of Practice (Buckinghamshire
# Safeguarding Children Board, 2015), the signature page before section 1: "By signing, you are
# agreeing:" followed by these six statements (shared/reference/buckinghamshire-code-of-practice.txt).
# The key names this set of wording: a signature stores the key and the words themselves, so a
# later change of wording gets a new key and never rewrites what someone confirmed.
STATEMENTS_KEY = "buckinghamshire-code-2015"
STATEMENTS_SOURCE = (
    "Buckinghamshire Multi-Agency Information Sharing Code of Practice (Buckinghamshire "
    "Safeguarding Children Board, 2015), signature page"
)
STATEMENTS_INTRO = "By signing, you are agreeing:"
STATEMENTS: tuple[tuple[str, str], ...] = (
    ("principles", "to subscribe to the principles contained in the code"),
    ("procedures", "to work to the procedures identified within the code"),
    ("supply", "to supply information within the bounds of this code"),
    (
        "implement",
        "to fully implement the code within your agency, ensuring all staff know of its existence "
        "and to support their attendance at any training event required",
    ),
    (
        "trust",
        "to contribute to the development of trust and confidence between the signatory agencies "
        "by working within the framework of the code",
    ),
    ("terms", "to the terms of reference for the Nominated Representatives"),
)

# What a version's content is: the agreement's own words (the ICO checklist's contents and the
# purposes it covers) and the version's text, document, sign-off and conditions (the machine-checked
# clauses decisions are held to, agreements.models.AgreementCondition). Not its review date, which
# may move after sign-off without changing what was agreed.
HASH_SCHEME = "isa-portal/version-content/1"
AGREEMENT_CONTENT_FIELDS = (
    "title",
    "tier",
    "parties_and_roles",
    "purpose",
    "data_items",
    "lawful_basis",
    "article9_condition",
    "recipients",
    "frequency",
    "data_quality",
    "security",
    "retention_and_disposal",
    "retention_years",
    "rights_and_complaints",
    "breach_procedure",
    "dpia_reference",
    "onward_disclosure",
    "termination",
)
VERSION_CONTENT_FIELDS = ("number", "author", "summary_of_changes", "text", "signed_off_by", "signed_off_on")
CONDITION_CONTENT_FIELDS = (
    "kind",
    "purposes",
    "information_categories",
    "recipient_kinds",
    "clause",
    "wording",
)


def version_sha256(version: AgreementVersion) -> str:
    """The SHA-256 of everything a signer of ``version`` agrees to: a canonical JSON of the
    content fields (sorted keys, dates as ISO 8601), then the bytes of the version's PDF, if any.
    Raises ``OSError`` when the PDF cannot be read."""
    agreement = version.agreement
    content = {
        "scheme": HASH_SCHEME,
        "agreement": {name: _plain(getattr(agreement, name)) for name in AGREEMENT_CONTENT_FIELDS},
        "purposes": sorted(agreement.purpose_values),
        "version": {name: _plain(getattr(version, name)) for name in VERSION_CONTENT_FIELDS},
        "conditions": sorted(
            (
                {name: getattr(condition, name) for name in CONDITION_CONTENT_FIELDS}
                for condition in version.conditions.all()
            ),
            key=lambda c: json.dumps(c, sort_keys=True),
        ),
        "document": bool(version.document),
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode())
    if version.document:
        with version.document.open("rb") as handle:
            for chunk in iter(lambda: handle.read(64 * 1024), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


class HashState(StrEnum):
    MATCHES = "matches"
    CHANGED = "changed"
    NOT_RECORDED = "not_recorded"
    UNREADABLE = "unreadable"


HASH_STATE_LABELS = {
    HashState.MATCHES: "The version still reads exactly as it did when signed",
    HashState.CHANGED: "The version has changed since it was signed: this signature is of the content before",
    HashState.NOT_RECORDED: "Not recorded: signed before signing evidence was kept",
    HashState.UNREADABLE: "Cannot be checked: the version's PDF cannot be read",
}


@dataclass(frozen=True)
class HashCheck:
    state: HashState
    current: str = ""

    @property
    def label(self) -> str:
        return HASH_STATE_LABELS[self.state]


def hash_check(signature: Signature) -> HashCheck:
    """Whether the version ``signature`` binds to still hashes as it did when signed."""
    if not signature.version_sha256:
        return HashCheck(HashState.NOT_RECORDED)
    try:
        current = version_sha256(signature.version)
    except OSError:
        return HashCheck(HashState.UNREADABLE)
    return HashCheck(HashState.MATCHES if current == signature.version_sha256 else HashState.CHANGED, current)


def statement_texts() -> list[str]:
    return [text for _, text in STATEMENTS]


def attach_signature_page(signature: Signature) -> None:
    """Print the signature page (WeasyPrint) and keep it with the signature, privately."""
    pdf = render_pdf(
        "agreements/signature_page_pdf.html",
        {
            "signature": signature,
            "intro": STATEMENTS_INTRO,
            "source": STATEMENTS_SOURCE,
            "printed_at": timezone.localtime(),
        },
    )
    signature.signature_page.save("signature-page.pdf", ContentFile(pdf), save=False)
