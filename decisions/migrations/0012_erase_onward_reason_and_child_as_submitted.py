"""Retention erases three more things from a decision's tombstone: the reason for overriding the
originator's refusal of onward disclosure (0010) and the child as they were at submission (0011:
name, date of birth, NHS number). The tombstone lock of 0004, with those added to what a tombstone
may blank (the date to NULL); nothing else changes.
"""

from django.db import migrations

from isa_portal.postgresql import postgresql_only

MUTABLE = (
    "ARRAY['status', 'countersigned_by_id', 'countersigned_at', 'updated', 'legal_hold', 'legal_hold_reason']"
)
TEXT = [
    "requester_name",
    "requester_role",
    "identity_check",
    "purpose_detail",
    "departure_reason",
    "override_reason",
    "harm_if_shared",
    "harm_if_not_shared",
    "advice_from",
    "advice_role",
    "advice_given",
    "information_shared",
    "recipient_name",
    "recipient_role",
    "no_agreement_reason",
    "family_not_told_reason",
    "protected_identities",
    "no_share_detriment",
    "onward_override_reason",
    "submitted_child_name",
    "submitted_child_nhs_number",
]
DATES = ["submitted_child_date_of_birth"]
TOMBSTONE = ["tombstoned_at", "tombstone_reason"]


def _function(text: list[str], dates: list[str]) -> str:
    skip = "ARRAY[" + ", ".join(f"'{name}'" for name in [*text, *dates, *TOMBSTONE]) + "]"
    blanked = " AND ".join([*(f"NEW.{name} = ''" for name in text), *(f"NEW.{name} IS NULL" for name in dates)])
    return f"""
CREATE OR REPLACE FUNCTION decisions_refuse_change_once_submitted() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'Decision % was submitted and cannot be deleted', OLD.reference;
        END IF;
        IF NEW.status = 'draft' THEN
            RAISE EXCEPTION 'Decision % was submitted and cannot be changed; add an addendum', OLD.reference;
        END IF;
        IF OLD.tombstoned_at IS NULL AND NEW.tombstoned_at IS NOT NULL THEN
            IF (to_jsonb(NEW) - {MUTABLE} - {skip})
                   IS DISTINCT FROM (to_jsonb(OLD) - {MUTABLE} - {skip})
               OR NOT ({blanked}) THEN
                RAISE EXCEPTION 'Decision % may only be tombstoned by blanking its free text', OLD.reference;
            END IF;
        ELSIF (to_jsonb(NEW) - {MUTABLE}) IS DISTINCT FROM (to_jsonb(OLD) - {MUTABLE}) THEN
            RAISE EXCEPTION 'Decision % was submitted and cannot be changed; add an addendum', OLD.reference;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


FORWARD = _function(TEXT, DATES)
# Back to 0004's list.
BACKWARD = _function(TEXT[:18], [])


class Migration(migrations.Migration):
    dependencies = [("decisions", "0011_decision_child_as_submitted")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
