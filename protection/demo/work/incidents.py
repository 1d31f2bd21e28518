"""The demo's incidents: about thirty over eight weeks, their alerts, and a spike at one site.

Staff of the agencies working at each site report them through incidents.reporting.services,
at the time they would have (mission.clock); most are general protection incidents, some GBV
(restricted), a few grave violations against children. The alerts of older incidents were
acknowledged (one after an escalation) and their response moved on; the serious incidents of
the last days still wait for someone, and the clashes at the PoC site in the last day let early
warning fire.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from camps.models import Site
from cases.models import CaseStatus, CaseType, DisplacedPerson, PersonStatus, ProtectionCase, Sex
from incidents.alerts.services import alert_acknowledge
from incidents.escalation.services import alert_escalate
from incidents.events.services import incident_link
from incidents.models import (
    Alert,
    DatePrecision,
    Incident,
    IncidentStatus,
    IncidentTaxonomy,
    IncidentType,
    PerpetratorCategory,
    Verification,
)
from incidents.policies.selectors import tier_users
from incidents.reporting.services import IncidentData, incident_report, incident_update
from protection.accounts.models import Role, User
from protection.dates import years_before
from protection.demo.work.directory import SERIOUS_POLICY
from protection.demo.work.mission import SEED, Mission, clock
from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus
from protection.notifications.services.sending import delivery_send

POC, CMP, CC, HST = "DEMO-POC1", "DEMO-CMP1", "DEMO-CC1", "DEMO-HST1"
OFFICER, CASE_WORKER = Role.PROTECTION_OFFICER, Role.CASE_WORKER
# Counts are written "fa:1 mc:2": girls (fc), boys (mc), women (fa), men (ma), unknown (u).
COUNT_FIELDS = {
    "fc": "female_children",
    "mc": "male_children",
    "fa": "female_adults",
    "ma": "male_adults",
    "u": "sex_or_age_unknown",
}
# Alerts of incidents older than this were acknowledged; newer ones still wait.
ACKNOWLEDGED_AFTER_HOURS = 60
CLOSED_AFTER_DAYS = 14
ACTIONS_TAKEN: dict[str, str] = {
    IncidentTaxonomy.GENERAL: "Patrols increased around the place; community leaders met.",
    IncidentTaxonomy.GBV: "Survivor offered clinical care and psychosocial support; referred "
    "with her consent.",
    IncidentTaxonomy.GRAVE_VIOLATION: "Reported to the country task force on monitoring and "
    "reporting; the family is followed by child protection.",
}


@dataclass(frozen=True)
class IncidentPlan:
    """One incident: how long ago, where, who reports it, and what happened."""

    hours_ago: float
    site: str
    reporter: tuple[str, str]
    incident_type: str
    severity: int
    perpetrator: str
    source: str
    counts: str
    description: str
    # A registered victim to link: "woman_sv", "girl", "boy", "man", or "gbv_case" (the
    # survivor of an open GBV case, reported by her case worker and linked to the case).
    victim: str = ""
    precision: str = DatePrecision.EXACT
    # Nobody at tier 1 acknowledged in time: the alert went up a tier.
    escalated: bool = False
    verification: str = Verification.VERIFIED


def _days(days: int, hours: float = 0) -> float:
    return days * 24 + hours


INCIDENTS: tuple[IncidentPlan, ...] = (
    IncidentPlan(_days(54, 3), POC, ("mission", OFFICER), "harassment", 1, "community_member",
                 "witness", "fa:3", "Women collecting firewood outside the perimeter were "
                 "threatened and chased back to the gate."),
    IncidentPlan(_days(51, 10), CMP, ("un", OFFICER), "looting", 2, "criminal_group", "survivor",
                 "u:4", "Four shelters in block D broken into at night; food rations and "
                 "cooking sets stolen."),
    IncidentPlan(_days(49, 6), HST, ("un", OFFICER), "arbitrary_detention", 3,
                 "state_security_forces", "witness", "ma:2", "Two young men from the host area "
                 "detained at a checkpoint without charge; released after three days."),
    IncidentPlan(_days(47, 15), CC, ("ngo", OFFICER), "gbv_physical_assault", 2,
                 "intimate_partner_family", "survivor", "fa:1", "Woman beaten by her husband "
                 "after an argument over the food ration.", victim="woman_sv"),
    IncidentPlan(_days(45, 2), POC, ("un", OFFICER), "denial_of_access", 2,
                 "state_security_forces", "direct_observation", "", "Convoy with medical "
                 "supplies for the PoC site held at the bridge checkpoint for six hours."),
    IncidentPlan(_days(43, 20), POC, ("mission", CASE_WORKER), "gbv_sexual_assault", 3,
                 "unknown", "survivor", "fa:1", "Woman assaulted on her way back from the "
                 "latrines at night.", victim="gbv_case"),
    IncidentPlan(_days(40, 9), HST, ("mission", OFFICER), "injury", 2, "community_member",
                 "witness", "ma:2", "Dispute at the water point; two men injured with sticks."),
    IncidentPlan(_days(38, 12), CMP, ("ngo", OFFICER), "gv_recruitment", 3,
                 "non_state_armed_group", "community_leader", "mc:2", "Two boys from the camp "
                 "reported to have joined an armed group after recruiters came to the market."),
    IncidentPlan(_days(36, 5), CC, ("ngo", CASE_WORKER), "harassment", 1, "community_member",
                 "witness", "fa:2", "Two women insulted and threatened at the water point by "
                 "men from the neighbouring quarter."),
    IncidentPlan(_days(34, 7), POC, ("mission", OFFICER), "explosive_ordnance", 4, "unknown",
                 "direct_observation", "mc:1", "Unexploded mortar round found near the school; "
                 "a boy was injured before the area was cordoned off.", victim="boy"),
    IncidentPlan(_days(31, 16), CMP, ("un", CASE_WORKER), "looting", 1, "criminal_group",
                 "survivor", "u:1", "Goats stolen from a family's enclosure at night."),
    IncidentPlan(_days(29), HST, ("un", OFFICER), "gbv_forced_marriage", 2,
                 "intimate_partner_family", "community_leader", "fc:1", "A 16-year-old girl "
                 "promised in marriage by her uncle in exchange for cattle.",
                 precision=DatePrecision.DAY),
    IncidentPlan(_days(27, 4), POC, ("un", OFFICER), "abduction", 3, "non_state_armed_group",
                 "witness", "ma:1", "A man taken by armed men while collecting firewood south "
                 "of the site; released after two days.", escalated=True),
    IncidentPlan(_days(24, 11), CC, ("ngo", OFFICER), "forced_eviction", 2, "community_member",
                 "community_leader", "u:12", "The owner's agents ordered the families "
                 "sheltering in the school building to leave within a week."),
    IncidentPlan(_days(22, 22), CMP, ("ngo", OFFICER), "gbv_rape", 4, "unknown", "survivor",
                 "fa:1", "Woman raped near the edge of the camp at night; seen at the clinic "
                 "within 72 hours."),
    IncidentPlan(_days(20, 8), HST, ("mission", CASE_WORKER), "threat_to_staff", 2, "unknown",
                 "direct_observation", "", "Staff vehicle stopped and staff threatened at an "
                 "informal checkpoint."),
    IncidentPlan(_days(18, 13), CMP, ("un", OFFICER), "gv_attack_school_hospital", 3,
                 "non_state_armed_group", "direct_observation", "", "Armed men occupied the "
                 "camp's primary school for a night; classes suspended for three days."),
    IncidentPlan(_days(15, 5), POC, ("mission", OFFICER), "torture", 3, "state_security_forces",
                 "survivor", "ma:1", "A man came back to the PoC site with injuries after two "
                 "days in detention at a checkpoint.", victim="man"),
    IncidentPlan(_days(12, 18), CC, ("ngo", OFFICER), "trafficking", 3, "criminal_group",
                 "partner", "fa:2", "Two young women recruited with promises of work in town; "
                 "one came back and reported being held."),
    IncidentPlan(_days(10), HST, ("un", OFFICER), "gbv_denial_of_resources", 1,
                 "intimate_partner_family", "survivor", "fa:1", "Woman's ration card kept by "
                 "her husband's family.", precision=DatePrecision.MONTH),
    IncidentPlan(_days(9, 3), CMP, ("un", CASE_WORKER), "harassment", 1, "unknown",
                 "community_leader", "u:3", "Rumour of threats against new arrivals.",
                 verification=Verification.DISCREDITED),
    IncidentPlan(_days(6, 14), CMP, ("ngo", CASE_WORKER), "gbv_psychological_abuse", 2,
                 "intimate_partner_family", "survivor", "fa:1", "Woman repeatedly threatened "
                 "and kept at home by her partner."),
    IncidentPlan(_days(4, 2), HST, ("un", OFFICER), "killing", 4, "non_state_armed_group",
                 "witness", "ma:1", "A farmer from the host area shot dead in his field by "
                 "armed men."),
    IncidentPlan(_days(2, 6), CC, ("ngo", OFFICER), "gv_abduction", 4, "criminal_group",
                 "witness", "fc:1", "A 12-year-old girl taken on her way to the market; the "
                 "family has had no news.", victim="girl"),
    IncidentPlan(_days(1, 14), HST, ("mission", OFFICER), "attack", 3, "non_state_armed_group",
                 "witness", "ma:2 u:3", "Armed group fired on the host village at dawn; five "
                 "people wounded."),
    # The last day at the PoC site: tension between two communities turns into clashes.
    IncidentPlan(20, POC, ("mission", OFFICER), "harassment", 2, "community_member",
                 "direct_observation", "u:6", "Youth groups from two communities threatened "
                 "each other at the food distribution point."),
    IncidentPlan(14, POC, ("un", OFFICER), "looting", 2, "community_member", "witness", "u:5",
                 "Shops in the PoC market looted during a night of clashes."),
    IncidentPlan(8, POC, ("mission", CASE_WORKER), "injury", 3, "community_member", "witness",
                 "ma:3 mc:1", "Clashes between youth groups; four people injured with machetes, "
                 "one of them a boy."),
    IncidentPlan(3, POC, ("ngo", OFFICER), "gbv_sexual_assault", 3, "unknown", "survivor",
                 "fa:1", "Woman assaulted while sheltering from the clashes in a communal "
                 "kitchen."),
    IncidentPlan(0.4, POC, ("mission", OFFICER), "attack", 4, "unknown", "direct_observation",
                 "u:2", "Shots fired at the perimeter gate; two people wounded; crowd control "
                 "under way."),
    # The same attack, reported by another agency: linked to the mission's report below.
    IncidentPlan(0.3, POC, ("un", OFFICER), "attack", 4, "unknown", "witness", "u:2",
                 "Gunfire at the gate of the PoC site; two wounded taken to the clinic."),
)  # fmt: skip


def _counts(text: str) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_FIELDS.values(), 0)
    for key, value in (part.split(":") for part in text.split()):
        counts[COUNT_FIELDS[key]] = int(value)
    return counts


def _victim(
    mission: Mission, plan: IncidentPlan, reporter: User, site: Site, rng: random.Random
) -> tuple[User, list[DisplacedPerson], ProtectionCase | None]:
    """Return who reports, the registered victims to link, and the case to link, if any."""
    if not plan.victim:
        return reporter, [], None
    if plan.victim == "gbv_case":
        case = (
            ProtectionCase.objects.filter(
                owning_agency_id=reporter.agency_id,
                case_type=CaseType.GBV,
                primary_person__site=site,
                assigned_to__isnull=False,
            )
            .exclude(status=CaseStatus.CLOSED)
            .select_related("primary_person", "assigned_to")
            .order_by("pk")
            .first()
        )
        if case is not None and case.assigned_to is not None:
            return case.assigned_to, [case.primary_person], case
    adult_born_by = years_before(mission.today, 18)
    people = DisplacedPerson.objects.filter(
        owning_agency_id=reporter.agency_id, site=site, status=PersonStatus.ACTIVE
    )
    if plan.victim in ("woman_sv", "gbv_case"):
        people = people.filter(
            sex=Sex.FEMALE, date_of_birth__lt=adult_born_by, specific_needs__code__startswith="SV"
        )
    elif plan.victim in ("girl", "boy"):
        sex = Sex.FEMALE if plan.victim == "girl" else Sex.MALE
        people = people.filter(sex=sex, date_of_birth__gt=adult_born_by)
    else:
        people = people.filter(sex=Sex.MALE, date_of_birth__lt=adult_born_by)
    found = list(people.distinct().order_by("pk")[:20])
    return reporter, [rng.choice(found)] if found else [], None


def alerts_to_inboxes(alerts: Sequence[Alert]) -> None:
    """Put the alerts in their recipients' inboxes now, as the worker would have done then.

    Email and webhook deliveries stay pending for the worker (its sweeper sends what the broker
    did not carry).
    """
    pending = Delivery.objects.filter(
        source_type="incidents.alert",
        source_id__in=[str(alert.pk) for alert in alerts],
        channel=DeliveryChannel.IN_APP,
        status=DeliveryStatus.PENDING,
    ).order_by("pk")
    for delivery_id in pending.values_list("pk", flat=True):
        delivery_send(delivery_id=delivery_id)


def _acknowledger(alert: Alert, reporter: User) -> User | None:
    """Return who acknowledges: a recipient of the alert's tier, of the reporting agency if any."""
    assert alert.policy is not None
    tier = alert.policy.tiers.get(level=alert.tier)
    users = tier_users(tier)
    own = [user for user in users if user.agency_id == reporter.agency_id]
    return (own or users)[0] if users else None


def _answer_alerts(
    plan: IncidentPlan, alerts: Sequence[Alert], reporter: User, rng: random.Random
) -> None:
    """Acknowledge the alerts of an older incident, one of them only after an escalation."""
    for alert in alerts:
        raised = alert.raised_at
        if plan.escalated and alert.policy is not None and alert.policy.name == SERIOUS_POLICY:
            moment = raised + datetime.timedelta(minutes=16)
            with clock(moment):
                alert_escalate(alert_id=alert.pk, now=moment)
                alert.refresh_from_db()
                alerts_to_inboxes([alert])
            raised = moment
        actor = _acknowledger(alert, reporter)
        if actor is None:
            continue
        with clock(raised + datetime.timedelta(minutes=rng.randint(3, 12))):
            alert_acknowledge(actor=actor, alert=alert)


def _follow_incident(mission: Mission, plan: IncidentPlan, incident: Incident) -> None:
    """Move an older incident's response along: responding, then verified (or not) and closed.

    Serious incidents are verified at once; a rumour found false is discredited and closed.
    """
    officer = mission.user(mission.key_of(incident.reporting_agency_id), OFFICER)
    discredited = plan.verification == Verification.DISCREDITED
    responding = incident.reported_at + datetime.timedelta(days=1)
    with clock(min(responding, mission.now - datetime.timedelta(minutes=1))):
        incident_update(
            actor=officer,
            incident=incident,
            status=IncidentStatus.RESPONDING,
            verification=plan.verification if plan.severity >= 3 or discredited else None,
            actions_taken=ACTIONS_TAKEN[incident.incident_type.taxonomy],
        )
    if discredited or plan.hours_ago > CLOSED_AFTER_DAYS * 24:
        closed = incident.reported_at + datetime.timedelta(days=3 if discredited else 10)
        with clock(min(closed, mission.now - datetime.timedelta(minutes=1))):
            incident_update(
                actor=officer,
                incident=incident,
                status=IncidentStatus.CLOSED,
                verification=plan.verification,
            )


def incidents_seed(mission: Mission) -> tuple[int, int]:
    """Report the demo's incidents and answer their alerts; return how many of each."""
    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible demo data, not a secret
    types = {t.code: t for t in IncidentType.objects.all()}
    perpetrators = {p.code: p for p in PerpetratorCategory.objects.all()}
    alerts = 0
    reported: list[Incident] = []
    for plan in INCIDENTS:
        site = mission.sites[plan.site]
        reporter, victims, case = _victim(mission, plan, mission.user(*plan.reporter), site, rng)
        occurred = mission.now - datetime.timedelta(hours=plan.hours_ago)
        counts = _counts(plan.counts)
        delay = datetime.timedelta(hours=min(rng.uniform(1.5, 9), plan.hours_ago / 2))
        with clock(occurred + delay):
            report = incident_report(
                actor=reporter,
                data=IncidentData(
                    incident_type=types[plan.incident_type],
                    severity=plan.severity,
                    occurred_at=occurred,
                    occurred_precision=plan.precision,
                    perpetrator_category=perpetrators[plan.perpetrator],
                    source=plan.source,
                    description=plan.description,
                    site=site,
                    victims=victims,
                    linked_case=case,
                    female_children=counts["female_children"],
                    male_children=counts["male_children"],
                    female_adults=counts["female_adults"],
                    male_adults=counts["male_adults"],
                    sex_or_age_unknown=counts["sex_or_age_unknown"],
                ),
            )
            alerts_to_inboxes(report.alerts)
        alerts += len(report.alerts)
        if plan.hours_ago > ACKNOWLEDGED_AFTER_HOURS:
            _answer_alerts(plan, report.alerts, reporter, rng)
            _follow_incident(mission, plan, report.incident)
        reported.append(report.incident)
    # Two agencies reported the last attack at the PoC site: one event, counted once.
    first, second = reported[-2], reported[-1]
    incident_link(actor=first.reported_by, incident=first, other=second)
    return len(INCIDENTS), alerts
