"""Write one chunk of incidents and the alerts the serious ones raised.

Incidents are spread over the last year at the registry's sites, reported by an agency that
works there, with the types' own taxonomy (GBV among them), severities, sources and counts
of victims. An incident of severity 3 or more raised an alert under the "serious incidents"
escalation policy the generator creates, as incident_alerts_raise does: acknowledged by the
site's agency for most, not acknowledged by any tier for some, waiting for the newest.
Narratives are encrypted with the app's cipher (protection/crypto): a pool of ciphertexts per
column, made once, which the fields decrypt like any other value.
"""

import datetime
import random
import uuid
from typing import Any

from benchmarks.bulk import TextRows, scrambled_code, text_cell
from benchmarks.households import expand
from incidents.models import Alert, Incident
from protection import codes
from protection.crypto import cipher
from protection.notifications.models import Delivery, Notification

INCIDENT_SPAN_DAYS = 365
SEVERITY_LABELS = {1: "Low", 2: "Moderate", 3: "Serious", 4: "Critical"}
SEVERITIES = expand([1, 2, 3, 4], [35, 35, 20, 10])
PRECISIONS = expand(["exact", "day", "month"], [60, 30, 10])
SOURCES = expand(
    ["survivor", "witness", "direct_observation", "community_leader", "partner", "media"],
    [35, 20, 15, 15, 12, 3],
)
VERIFICATIONS = expand(["reported", "verified", "discredited"], [55, 40, 5])
PLACES = [
    "near the water point",
    "at the distribution site",
    "on the road to the market",
    "inside the shelter",
    "near the school",
    "at the firewood collection area",
    "at the health post",
    "outside the camp fence",
]
DESCRIPTIONS = [
    "Reported by the survivor at the protection desk; referred for medical care.",
    "A group of armed men entered the block at night and took belongings.",
    "Community leaders reported threats against returnees at the market.",
    "The child was stopped on the way to school and questioned by armed men.",
    "Family reports a forced eviction from the plot; shelter destroyed.",
    "Witnesses saw a woman assaulted while collecting firewood.",
    "Detention of two young men at a checkpoint; families not informed.",
    "A girl was approached with an offer of marriage in exchange for food.",
]
ACTIONS = [
    "",
    "Referred to the health post and to psychosocial support.",
    "Site management informed; patrols increased at night.",
    "Case opened for follow-up by a case worker.",
]


def encrypted_pool(table: str, column: str, texts: list[str]) -> list[str]:
    """Return the texts encrypted for `table.column` (an empty text stays empty)."""
    return [
        text_cell(cipher.encrypt(text, table=table, column=column) if text else "")
        for text in texts
    ]


class IncidentChunk:
    """The row writers of one chunk of incidents, and the pools they draw from."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        context = plan["context"]
        self.incidents = TextRows(
            Incident,
            [
                "id",
                "reference",
                "incident_type_id",
                "severity",
                "occurred_at",
                "occurred_precision",
                "reported_at",
                "site_id",
                "location_detail",
                "female_children",
                "male_children",
                "female_adults",
                "male_adults",
                "sex_or_age_unknown",
                "perpetrator_category_id",
                "source",
                "verification",
                "description",
                "actions_taken",
                "involves_children",
                "status",
                "reported_by_id",
                "reporting_agency_id",
                "updated_at",
            ],
            {"latitude": None, "longitude": None, "admin1": "Upper Nile", "admin2": ""},
        )
        self.alerts = TextRows(
            Alert,
            [
                "id",
                "key",
                "incident_id",
                "site_id",
                "severity",
                "status",
                "deadline_at",
                "raised_at",
                "exhausted_at",
                "acknowledged_at",
                "acknowledged_by_id",
            ],
            {"kind": "incident", "policy_id": context["policy"], "tier": 1, "details": {}},
        )
        # The in-app message of each alert to the reporting agency's officer, sent, and the
        # inbox item it wrote (read once the alert was acknowledged): what makes an alert
        # visible to its recipient (incidents/scopes.py reads the deliveries).
        self.deliveries = TextRows(
            Delivery,
            [
                "id",
                "uuid",
                "key",
                "recipient_user_id",
                "source_id",
                "subject",
                "created_at",
                "sent_at",
            ],
            {
                "channel": "in_app",
                "subscription_id": None,
                "event": "alert.raised",
                "source_type": "incidents.alert",
                "body": "",
                "payload": {},
                "status": "sent",
                "attempts": 1,
                "last_outcome": "",
                "last_error": "",
            },
        )
        self.notifications = TextRows(
            Notification,
            ["id", "recipient_id", "delivery_id", "source_id", "subject", "created_at", "read_at"],
            {"event": "alert.raised", "source_type": "incidents.alert", "body": ""},
        )
        table = Incident._meta.db_table
        self.descriptions = encrypted_pool(table, "description", DESCRIPTIONS * 4)
        self.actions = encrypted_pool(table, "actions_taken", ACTIONS * 4)
        types = context["incident_types"]
        # GBV is about a fifth of what protection monitoring records.
        gbv = sum(1 for t in types if t[1] == "gbv") or 1
        other = sum(1 for t in types if t[1] != "gbv") or 1
        weights = [20 / gbv if t[1] == "gbv" else 80 / other for t in types]
        self.types = expand(types, weights, 2000)
        self.sites = expand(list(range(len(context["sites"]))), context["site_weights"], 2000)
        self.officers = {int(k): v for k, v in context["officers"].items()}

    def write(self, cursor: Any, chunk: int) -> dict[str, int]:
        plan, context = self.plan, self.plan["context"]
        size, total = plan["chunk_incidents"], plan["incidents"]
        first = chunk * size
        count = min(size, total - first)
        rng = random.Random(f"{plan['seed']}:incidents:{chunk}")
        rand = rng.random
        now = datetime.datetime.fromisoformat(plan["now"])
        span = INCIDENT_SPAN_DAYS * 86400
        perpetrators = context["perpetrators"]
        alerts = 0
        for index in range(first, first + count):
            incident_id = plan["bases"]["incident"] + index
            # Newer ids happened later, give or take a few days.
            age = span * (1 - (index + rand() * 0.5) / total) + rand() * 3 * 86400
            occurred = now - datetime.timedelta(seconds=max(age, 3600.0))
            reported = min(now, occurred + datetime.timedelta(hours=rand() * 72))
            type_id, _taxonomy, child_protection = self.types[int(rand() * len(self.types))]
            severity = SEVERITIES[int(rand() * len(SEVERITIES))]
            site_index = self.sites[int(rand() * len(self.sites))]
            operators = context["operators"][site_index]
            agency = operators[int(rand() * len(operators))]
            officer = self.officers[agency]
            girls = int(rand() * 2.4) if rand() < 0.3 else 0
            boys = int(rand() * 2.4) if rand() < 0.25 else 0
            women = 1 + int(rand() * 2) if rand() < 0.6 else 0
            men = int(rand() * 3) if rand() < 0.4 else 0
            unknown = 0 if girls + boys + women + men else 1 + int(rand() * 5)
            days_old = (now - reported).days
            status = (
                "closed"
                if days_old > 90 and rand() < 0.7
                else ("responding" if rand() < 0.4 else "open")
            )
            reported_at = reported.isoformat()
            reference = scrambled_code(codes.INCIDENT_PREFIX, incident_id)
            self.incidents.add(
                incident_id,
                reference,
                type_id,
                severity,
                occurred.isoformat(),
                PRECISIONS[int(rand() * len(PRECISIONS))],
                reported_at,
                context["sites"][site_index],
                PLACES[int(rand() * len(PLACES))],
                girls,
                boys,
                women,
                men,
                unknown,
                perpetrators[int(rand() * len(perpetrators))],
                SOURCES[int(rand() * len(SOURCES))],
                VERIFICATIONS[int(rand() * len(VERIFICATIONS))],
                self.descriptions[int(rand() * len(self.descriptions))],
                self.actions[int(rand() * len(self.actions))],
                "t" if child_protection or girls or boys else "f",
                status,
                officer,
                agency,
                reported_at,
            )
            if severity >= 3:
                raised = reported
                deadline = raised + datetime.timedelta(minutes=30)
                if deadline > now:
                    alert = ("open", deadline.isoformat(), r"\N", r"\N", r"\N")
                elif rand() < 0.9:
                    acknowledged = raised + datetime.timedelta(minutes=5 + rand() * 25)
                    alert = ("acknowledged", r"\N", r"\N", acknowledged.isoformat(), officer)
                else:
                    alert = ("exhausted", r"\N", deadline.isoformat(), r"\N", r"\N")
                alert_id = plan["bases"]["alert"] + index
                subject = (
                    f"[{SEVERITY_LABELS[severity]}] Incident at {context['site_codes'][site_index]}"
                    f" ({reference})"
                )
                raised_at = raised.isoformat()
                sent_at = (raised + datetime.timedelta(seconds=2)).isoformat()
                delivery_id = plan["bases"]["delivery"] + index
                self.deliveries.add(
                    delivery_id,
                    uuid.UUID(int=(0x5EED << 96) | delivery_id),
                    f"incidents.alert:{alert_id}:alert:in_app:u{officer}",
                    officer,
                    alert_id,
                    subject,
                    raised_at,
                    sent_at,
                )
                self.notifications.add(
                    plan["bases"]["notification"] + index,
                    officer,
                    delivery_id,
                    alert_id,
                    subject,
                    sent_at,
                    alert[3],
                )
                self.alerts.add(
                    alert_id,
                    f"incident:{incident_id}:{context['policy']}",
                    incident_id,
                    context["sites"][site_index],
                    severity,
                    alert[0],
                    alert[1],
                    reported_at,
                    alert[2],
                    alert[3],
                    alert[4],
                )
                alerts += 1
        return {
            "incidents": self.incidents.copy(cursor),
            "alerts": self.alerts.copy(cursor),
            "deliveries": self.deliveries.copy(cursor),
            "notifications": self.notifications.copy(cursor),
        }
