"""The one permission catalogue: what each role may do.

Views ask ``user.can(Perm.X)`` (or use ``accounts.access.require``); nothing
outside this module tests a role name to decide access. Which *records* a user
may see is the other half of access, answered by each model's
``visible_to(user)`` queryset method.
"""

from enum import StrEnum


class Perm(StrEnum):
    # Agreements and the partnership
    VIEW_AGREEMENTS = "view_agreements"
    MANAGE_PARTNERSHIP = "manage_partnership"  # agencies, agreements, versions, signatures
    MANAGE_USERS = "manage_users"
    # Case systems' API clients (api/): each acts as its agency, never as a person.
    MANAGE_API_CLIENTS = "manage_api_clients"
    # Requests for roles that read children's records (accounts.grants): seen by administrators,
    # safeguarding leads and IG officers; approved by a partnership administrator or the agency's lead.
    VIEW_ACCESS_GRANTS = "view_access_grants"
    MANAGE_INCIDENTS = "manage_incidents"
    VIEW_INCIDENTS = "view_incidents"
    # Child-level records
    VIEW_CHILD_RECORDS = "view_child_records"
    RECORD_CONSENT = "record_consent"
    RECORD_DECISION = "record_decision"
    REVIEW_DECISION = "review_decision"
    # The partnership tier of the escalation ladder: disagreements escalated past an agency's
    # own leads, and decisions of an agency with no other lead to review them.
    REVIEW_PARTNERSHIP_TIER = "review_partnership_tier"
    VIEW_DECISION_LOG = "view_decision_log"  # the agency's whole decision log, with filters
    # Taking the log out of the service as a spreadsheet: information governance's call, not
    # every reader's (leads read the log on screen).
    EXPORT_DECISION_LOG = "export_decision_log"
    # Oversight
    VIEW_AUDIT = "view_audit"
    # A child's access history (audit.history): IG officers, and a lead for their agency's records.
    VIEW_ACCESS_HISTORY = "view_access_history"
    VIEW_REPORTS = "view_reports"
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    # Stopping retention erasing a decision or a child's records (decisions.holds).
    MANAGE_LEGAL_HOLDS = "manage_legal_holds"


_PRACTITIONER = {
    Perm.VIEW_AGREEMENTS,
    Perm.VIEW_CHILD_RECORDS,
    Perm.RECORD_CONSENT,
    Perm.RECORD_DECISION,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    "practitioner": frozenset(_PRACTITIONER),
    "lead": frozenset(
        _PRACTITIONER
        | {
            Perm.REVIEW_DECISION,
            Perm.VIEW_DECISION_LOG,
            Perm.VIEW_REPORTS,
            Perm.VIEW_ACCESS_HISTORY,
            Perm.VIEW_ACCESS_GRANTS,
        }
    ),
    # The partnership's designated safeguarding lead: reads and acts on only what reaches the
    # partnership tier (decisions.models.DecisionQuerySet.partnership_tier); records nothing.
    "partnership_lead": frozenset(
        {Perm.VIEW_AGREEMENTS, Perm.VIEW_CHILD_RECORDS, Perm.REVIEW_PARTNERSHIP_TIER}
    ),
    "ig_officer": frozenset(
        {
            Perm.VIEW_AGREEMENTS,
            Perm.VIEW_CHILD_RECORDS,
            Perm.VIEW_DECISION_LOG,
            Perm.EXPORT_DECISION_LOG,
            Perm.VIEW_AUDIT,
            Perm.VIEW_ACCESS_HISTORY,
            Perm.VIEW_REPORTS,
            Perm.VIEW_INCIDENTS,
            Perm.MANAGE_INCIDENTS,
            Perm.EXPORT_SUBJECT_ACCESS,
            Perm.MANAGE_LEGAL_HOLDS,
            Perm.VIEW_ACCESS_GRANTS,
        }
    ),
    # Separation of duties: admins run the partnership and never read child-level records.
    "admin": frozenset(
        {
            Perm.VIEW_AGREEMENTS,
            Perm.MANAGE_PARTNERSHIP,
            Perm.MANAGE_USERS,
            Perm.MANAGE_API_CLIENTS,
            Perm.VIEW_INCIDENTS,
            Perm.VIEW_ACCESS_GRANTS,
        }
    ),
    # Signing is not a permission: it is being the agency's current nominated representative
    # (agreements.models.SignatureInvitationQuerySet.waiting_for). The role reads agreements only.
    "representative": frozenset({Perm.VIEW_AGREEMENTS}),
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(perm: Perm) -> list[str]:
    """The roles holding ``perm``, for queries that must find such users in the database."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
