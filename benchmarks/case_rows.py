"""Write one chunk of protection cases and their referrals to partners' services.

A case is opened over the last year for a registered person by the agency that registered
them, assigned to its officer; its status follows its age (old cases are mostly closed, with
a reason). Each case has up to three referrals to another agency's service, with consent,
the deadline the app sets from the urgency (REFERRAL_RESPONSE_HOURS) and an outcome that
follows the status: pending (some overdue), accepted, declined with a reason, completed with
an outcome, cancelled. Narratives are encrypted with the app's cipher, from pools.
"""

import datetime
import json
import random
from typing import Any

from django.conf import settings

from benchmarks.bulk import TextRows, scrambled_code, text_cell
from benchmarks.households import expand
from benchmarks.incident_rows import encrypted_pool
from cases.models import ProtectionCase, Referral
from protection import codes
from protection.crypto import cipher

CASE_SPAN_DAYS = 365
CASE_TYPES = expand(
    ["general_protection", "child_protection", "gbv", "legal_assistance", "durable_solutions"],
    [40, 25, 20, 10, 5],
)
RISKS = expand(["low", "medium", "high", "critical"], [25, 40, 25, 10])
OPEN_STATUSES = expand(
    ["registered", "assessment", "case_plan", "implementation", "follow_up"], [10, 20, 20, 35, 15]
)
CLOSURES = expand(
    ["needs_met", "durable_solution", "transferred", "lost_contact", "moved_away", "other"],
    [55, 10, 8, 15, 10, 2],
)
SOLUTIONS = ["voluntary_repatriation", "local_integration", "resettlement", "return"]
URGENCIES = expand(["emergency", "urgent", "routine"], [10, 30, 60])
REFERRALS_PER_CASE = expand([0, 1, 2, 3], [25, 45, 22, 8])
SHARED = ["case_type", "risk_level", "sex"]
SUMMARIES = [
    "Single mother of four with no income; threats from a former partner.",
    "Unaccompanied child living with a neighbour; needs family tracing.",
    "Survivor asks for medical care and safe shelter.",
    "Older person with a disability, alone since the family left.",
    "Lost civil documents in the flight; needs legal assistance.",
    "Family at risk of eviction from the plot.",
]
CLOSURE_NOTES = ["Needs met; family informed.", "No contact for three months.", "Moved away."]
REASONS = [
    "Needs a medical examination and follow-up within 72 hours.",
    "Requests psychosocial support in her own language.",
    "Requires legal counselling on civil documentation.",
    "Needs safe shelter while the case is followed up.",
]
DECLINES = ["Service full this month.", "Outside the area we serve."]
OUTCOMES = ["Service provided; person satisfied.", "Treated at the clinic; follow-up planned."]
CANCELS = ["The person withdrew consent.", "Referred elsewhere."]


def _hours(value: float) -> datetime.timedelta:
    return datetime.timedelta(hours=value)


class CaseChunk:
    """The row writers of one chunk of cases with their referrals."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.cases = TextRows(
            ProtectionCase,
            [
                "id",
                "case_number",
                "primary_person_id",
                "case_type",
                "risk_level",
                "summary",
                "owning_agency_id",
                "assigned_to_id",
                "confidential",
                "status",
                "opened_on",
                "closed_on",
                "closure_reason",
                "durable_solution",
                "closure_note",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
        )
        self.referrals = TextRows(
            Referral,
            [
                "id",
                "code",
                "case_id",
                "service_id",
                "from_agency_id",
                "to_agency_id",
                "reason",
                "urgency",
                "status",
                "consent_date",
                "consent_obtained_by_id",
                "shared_data",
                "sent_at",
                "response_due_at",
                "responded_at",
                "responded_by_id",
                "decline_reason",
                "completed_at",
                "outcome",
                "cancelled_at",
                "cancel_reason",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            {
                "consent_basis": "consent",
                "consent_given_by": "person",
                "consent_scope": SHARED,
                "override_reason": "",
                "override_justification": "",
                "override_approved_by_id": None,
                "shared_fields": SHARED,
                "last_reminded_at": None,
            },
        )
        case_table, referral_table = ProtectionCase._meta.db_table, Referral._meta.db_table
        self.summaries = encrypted_pool(case_table, "summary", SUMMARIES * 4)
        self.closure_notes = encrypted_pool(case_table, "closure_note", CLOSURE_NOTES * 4)
        self.reasons = encrypted_pool(referral_table, "reason", REASONS * 4)
        self.declines = encrypted_pool(referral_table, "decline_reason", DECLINES * 4)
        self.outcomes = encrypted_pool(referral_table, "outcome", OUTCOMES * 4)
        self.cancels = encrypted_pool(referral_table, "cancel_reason", CANCELS * 4)
        # What the partner received: the snapshot of the shared fields, encrypted as the
        # field would store it, for every combination the generator draws.
        self.shared: dict[tuple[str, str, str], str] = {}
        for case_type in set(CASE_TYPES):
            for risk in set(RISKS):
                for sex in ("female", "male"):
                    document = json.dumps(
                        {"case_type": case_type, "risk_level": risk, "sex": sex},
                        ensure_ascii=False,
                    )
                    self.shared[(case_type, risk, sex)] = text_cell(
                        cipher.encrypt(document, table=referral_table, column="shared_data")
                    )
        self.officers = {int(k): v for k, v in plan["context"]["officers"].items()}

    def _people(self, cursor: Any, rng: random.Random, count: int) -> list[tuple[int, int, str]]:
        """Draw `count` registered people: (id, owning agency, sex), in the order drawn."""
        bases, people = self.plan["bases"], self.plan["people"]
        wanted = [bases["person"] + int(rng.random() * people) for _index in range(count)]
        cursor.execute(
            "SELECT id, owning_agency_id, sex FROM cases_displacedperson WHERE id = ANY(%s)",
            [wanted],
        )
        found = {row[0]: (row[0], row[1], row[2]) for row in cursor.fetchall()}
        return [found[pk] for pk in wanted if pk in found]

    def write(self, cursor: Any, chunk: int) -> dict[str, int]:
        plan, context = self.plan, self.plan["context"]
        size, total = plan["chunk_cases"], plan["cases"]
        first = chunk * size
        count = min(size, total - first)
        rng = random.Random(f"{plan['seed']}:cases:{chunk}")
        rand = rng.random
        now = datetime.datetime.fromisoformat(plan["now"])
        services = context["services"]
        hours = settings.REFERRAL_RESPONSE_HOURS
        people = self._people(cursor, rng, count)
        for offset, (person_id, agency, sex) in enumerate(people):
            index = first + offset
            case_id = plan["bases"]["case"] + index
            officer = self.officers[agency]
            opened = now - datetime.timedelta(days=CASE_SPAN_DAYS * (1 - index / total) + rand())
            case_type = CASE_TYPES[int(rand() * len(CASE_TYPES))]
            risk = RISKS[int(rand() * len(RISKS))]
            closed = (now - opened).days > 60 and rand() < 0.55
            closed_on, reason, solution, note = r"\N", "", "", ""
            status = OPEN_STATUSES[int(rand() * len(OPEN_STATUSES))]
            if closed:
                status = "closed"
                closed_on = (opened + datetime.timedelta(days=30 + rand() * 30)).date().isoformat()
                reason = CLOSURES[int(rand() * len(CLOSURES))]
                solution = SOLUTIONS[int(rand() * 4)] if reason == "durable_solution" else ""
                note = self.closure_notes[int(rand() * len(self.closure_notes))]
            stamp = opened.isoformat()
            self.cases.add(
                case_id,
                scrambled_code(codes.CASE_PREFIX, case_id),
                person_id,
                case_type,
                risk,
                self.summaries[int(rand() * len(self.summaries))],
                agency,
                officer,
                "t" if case_type == "gbv" or rand() < 0.03 else "f",
                status,
                opened.date().isoformat(),
                closed_on,
                reason,
                solution,
                note,
                officer,
                stamp,
                stamp,
            )
            partners = [s for s in services if s[1] != agency]
            for number in range(REFERRALS_PER_CASE[int(rand() * len(REFERRALS_PER_CASE))]):
                service_id, to_agency = partners[int(rand() * len(partners))]
                urgency = URGENCIES[int(rand() * len(URGENCIES))]
                made = opened + _hours(1 + rand() * 24 * 20)
                if made > now:
                    made = now - _hours(rand())
                sent = made + _hours(rand() * 4)
                due = sent + _hours(hours[urgency])
                answered = sent + _hours(rand() * hours[urgency] * 1.3)
                # What became of it: the older, the more likely it was answered and closed.
                state = (
                    "pending"
                    if answered > now
                    else ("completed", "accepted", "declined", "cancelled", "pending")[
                        min(4, int(rand() * 5.2))
                    ]
                )
                if closed and state in ("pending", "accepted"):
                    state = "completed"
                responder = self.officers[to_agency]
                cells = {
                    "pending": (r"\N", r"\N", "", r"\N", "", r"\N", ""),
                    "accepted": (answered.isoformat(), responder, "", r"\N", "", r"\N", ""),
                    "declined": (
                        answered.isoformat(),
                        responder,
                        self.declines[int(rand() * len(self.declines))],
                        r"\N",
                        "",
                        r"\N",
                        "",
                    ),
                    "completed": (
                        answered.isoformat(),
                        responder,
                        "",
                        (answered + _hours(24 + rand() * 24 * 14)).isoformat(),
                        self.outcomes[int(rand() * len(self.outcomes))],
                        r"\N",
                        "",
                    ),
                    "cancelled": (
                        r"\N",
                        r"\N",
                        "",
                        r"\N",
                        "",
                        answered.isoformat(),
                        self.cancels[int(rand() * len(self.cancels))],
                    ),
                }[state]
                referral_id = plan["bases"]["referral"] + 3 * index + number
                self.referrals.add(
                    referral_id,
                    scrambled_code(codes.REFERRAL_PREFIX, referral_id),
                    case_id,
                    service_id,
                    agency,
                    to_agency,
                    self.reasons[int(rand() * len(self.reasons))],
                    urgency,
                    state,
                    made.date().isoformat(),
                    officer,
                    self.shared[(case_type, risk, sex)],
                    sent.isoformat(),
                    due.isoformat(),
                    *cells,
                    officer,
                    made.isoformat(),
                    made.isoformat(),
                )
        return {"cases": self.cases.copy(cursor), "referrals": self.referrals.copy(cursor)}
