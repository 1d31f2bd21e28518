"""Roles and what each allows: the action matrix of the access policy (README shows it).

protection.access applies it; which records a user sees is the apps' scopes (<app>/scopes.py).
"""

from enum import StrEnum

from protection.accounts.models import Role


class Action(StrEnum):
    """What a role may do; README shows the same matrix."""

    VIEW_AGENCIES = "view_agencies"
    VIEW_SITES = "view_sites"
    MANAGE_SITES = "manage_sites"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_PEOPLE = "view_people"
    REGISTER_PEOPLE = "register_people"
    IMPORT_PEOPLE = "import_people"
    EDIT_PEOPLE = "edit_people"
    CHANGE_PERSON_STATUS = "change_person_status"
    VIEW_CASES = "view_cases"
    MANAGE_CASES = "manage_cases"
    SUPERVISE_CASES = "supervise_cases"
    RESPOND_REFERRALS = "respond_referrals"
    VIEW_SERVICES = "view_services"
    MANAGE_SERVICES = "manage_services"
    MANAGE_AGREEMENTS = "manage_agreements"
    VIEW_INCIDENTS = "view_incidents"
    VIEW_INCIDENT_DETAILS = "view_incident_details"
    REPORT_INCIDENTS = "report_incidents"
    MANAGE_INCIDENTS = "manage_incidents"
    MANAGE_WEBHOOKS = "manage_webhooks"
    RECEIVE_ALERTS = "receive_alerts"
    MONITOR_PIPELINE = "monitor_pipeline"
    ERASE_PEOPLE = "erase_people"
    MANAGE_LEGAL_HOLDS = "manage_legal_holds"
    # Open a person's data-subject report (everything held, and who read it) and correct a
    # field on the person's request, with the reason.
    ANSWER_SUBJECT_REQUESTS = "answer_subject_requests"
    # Export lists of named people, cases, referrals or incidents (not only figures).
    EXPORT_INDIVIDUAL = "export_individual"
    # The mission's dashboard and monitoring report: every site's figures together.
    VIEW_MISSION = "view_mission"
    # Draw safe zones, trace corridors and decide a corridor's status (open, restricted,
    # closed): the agency's supervisors and administrators, never a partner's system.
    MANAGE_SAFE_PASSAGE = "manage_safe_passage"


_READ_ONLY = {
    Action.VIEW_AGENCIES,
    Action.VIEW_SITES,
    Action.VIEW_AGGREGATES,
    Action.VIEW_SERVICES,
}
_REGISTRY = {
    Action.VIEW_PEOPLE,
    Action.REGISTER_PEOPLE,
    Action.IMPORT_PEOPLE,
    Action.EDIT_PEOPLE,
}
_CASEWORK = {Action.VIEW_CASES, Action.MANAGE_CASES, Action.RESPOND_REFERRALS}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        _READ_ONLY
        | _REGISTRY
        | {
            Action.MANAGE_SITES,
            Action.CHANGE_PERSON_STATUS,
            Action.MANAGE_SERVICES,
            Action.MANAGE_AGREEMENTS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _READ_ONLY
        | _REGISTRY
        | _CASEWORK
        | {
            Action.CHANGE_PERSON_STATUS,
            Action.SUPERVISE_CASES,
            Action.MANAGE_SERVICES,
            Action.ANSWER_SUBJECT_REQUESTS,
            Action.VIEW_MISSION,
        }
    ),
    Role.PROTECTION_OFFICER: frozenset(
        _READ_ONLY
        | _REGISTRY
        | _CASEWORK
        | {Action.CHANGE_PERSON_STATUS, Action.ANSWER_SUBJECT_REQUESTS}
    ),
    Role.CASE_WORKER: frozenset(_READ_ONLY | _REGISTRY | _CASEWORK),
    # A partner's system may also bulk-import households into the sites its agency works in.
    Role.PARTNER_API: frozenset(
        _READ_ONLY | {Action.VIEW_PEOPLE, Action.IMPORT_PEOPLE, Action.RESPOND_REFERRALS}
    ),
    Role.ANALYST: frozenset(_READ_ONLY | {Action.VIEW_MISSION}),
}

# Incidents and alerts, merged into the matrix above. Every role that works with people may
# report and read incidents (details only within the reporting agency, see
# incident_detail_allowed); an analyst sees aggregated figures only. Anyone may read and
# acknowledge the alerts sent to them (alerts_for).
_INCIDENTS = {
    Action.VIEW_INCIDENTS,
    Action.VIEW_INCIDENT_DETAILS,
    Action.REPORT_INCIDENTS,
    Action.RECEIVE_ALERTS,
}
_INCIDENT_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        _INCIDENTS
        | {
            Action.MANAGE_INCIDENTS,
            Action.MANAGE_WEBHOOKS,
            Action.MONITOR_PIPELINE,
            Action.MANAGE_SAFE_PASSAGE,
        }
    ),
    Role.SUPERVISOR: frozenset(_INCIDENTS | {Action.MANAGE_INCIDENTS, Action.MANAGE_SAFE_PASSAGE}),
    Role.PROTECTION_OFFICER: frozenset(_INCIDENTS | {Action.MANAGE_INCIDENTS}),
    Role.CASE_WORKER: frozenset(_INCIDENTS),
    Role.PARTNER_API: frozenset(_INCIDENTS | {Action.MANAGE_WEBHOOKS}),
    Role.ANALYST: frozenset({Action.RECEIVE_ALERTS}),
}
# Data protection: erasing a person on request and placing records under a legal hold are an
# agency's decisions, taken by its administrators and supervisors, never by one case worker.
_DATA_PROTECTION = frozenset({Action.ERASE_PEOPLE, Action.MANAGE_LEGAL_HOLDS})
_DATA_PROTECTION_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: _DATA_PROTECTION,
    Role.SUPERVISOR: _DATA_PROTECTION,
}
# Individual-level exports: the roles accountable for the agency's casework, never a machine
# client, an analyst (figures only), an administrator (no casework) or a case worker (who works
# one case at a time and has no need of the whole list on a laptop).
_EXPORT_ACTIONS: dict[str, frozenset[Action]] = {
    Role.SUPERVISOR: frozenset({Action.EXPORT_INDIVIDUAL}),
    Role.PROTECTION_OFFICER: frozenset({Action.EXPORT_INDIVIDUAL}),
}
ROLE_ACTIONS = {
    role: actions
    | _INCIDENT_ACTIONS.get(role, frozenset())
    | _DATA_PROTECTION_ACTIONS.get(role, frozenset())
    | _EXPORT_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Roles that may be designated to see the identifying details of GBV incidents: people who
# work with survivors, never a machine client and never an analyst of aggregated figures.
GBV_DESIGNABLE_ROLES = frozenset(
    {Role.ADMIN, Role.SUPERVISOR, Role.PROTECTION_OFFICER, Role.CASE_WORKER}
)
