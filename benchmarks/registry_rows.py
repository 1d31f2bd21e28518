"""Write one chunk of the registry: households, their members, specific needs, audit events.

A chunk holds exactly `chunk_size` people (the last one fewer). Its ids are fixed by its
number (benchmarks/progress.py), its draws by a generator seeded with the run's seed and the
number, so a chunk written again after a crash is the same chunk. The derived columns are the
app's own: the search keys from cases.registry.duplicates.search_keys, the audit events as
audit_record would write them (the code as label, personal values as keyed hashes), chained.
"""

import datetime
import hashlib
import json
import random
from functools import lru_cache
from typing import Any

from django.utils import timezone

from benchmarks import names
from benchmarks.bulk import NULL, TEXT_ESCAPES, TextRows, scrambled_code, text_cell
from benchmarks.households import FAMILY_POOL, FEMALE_POOL, MALE_POOL, draw_household, expand
from benchmarks.names import ARABIC_FAMILY, ARABIC_GIVEN
from cases.models import DisplacedPerson, Household, PersonSpecificNeed
from cases.registry.duplicates import SEARCH_KEY_FIELDS, search_keys
from protection import codes
from protection.audit_chain import AUDIT_CHAIN, row_digest
from protection.audit_values import redact_change
from protection.models import AuditEvent

HOUSEHOLD_SIZES = ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 12, 15, 18, 16, 12, 8, 5, 3, 1])
NATIONALITIES = (
    ["SSD", "SDN", "COD", "SOM", "MLI", "BFA", "CAF", "ETH"],
    [40, 20, 12, 8, 6, 5, 5, 4],
)
STATUSES = (["IDP", "REF", "ASY", "RET", "HST", "RDP"], [50, 30, 8, 5, 4, 3])
PERSON_STATUS = expand(
    ["active", "departed", "deceased", "repatriated", "resettled"], [92, 5, 1, 1, 1]
)
SIZES = expand(*HOUSEHOLD_SIZES)
REGISTRY_SPAN_DAYS = 730

PERSON_COLUMNS = [
    "id",
    "registration_number",
    "household_id",
    "site_id",
    "relationship_to_head",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "nationality_id",
    "displacement_status_id",
    "origin_country_id",
    "origin_location",
    "arrived_on",
    "consent_date",
    "consent_given_by",
    "consent_recorded_by_id",
    "status",
    "status_reason",
    "status_changed_on",
    "owning_agency_id",
    *SEARCH_KEY_FIELDS,
    "created_by_id",
    "created_at",
    "updated_at",
]
AUDIT_COLUMNS = [
    "id",
    "created_at",
    "actor_id",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip_address",
    "seq",
    "prev_hash",
    "row_hash",
]


@lru_cache(maxsize=300_000)
def _key_cells(given: str, family: str) -> tuple[str, ...]:
    """Return the search-key cells of a name (SEARCH_KEY_FIELDS), as the app computes them."""
    keys = search_keys(given, family).as_fields()
    return tuple(text_cell(keys[name]) for name in SEARCH_KEY_FIELDS)


_DUMPS = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


class AuditRows:
    """Audit events chained from a head, hashed as protection.audit_chain.row_digest does.

    The digest is over the same canonical JSON (sorted keys, no spaces), written here as one
    string from parts already in canonical form: codes, ids, UTC times and the JSON of each
    change, made once per distinct value. The first row of every chunk is checked against
    row_digest itself, so a change to the chain's hash stops the generator rather than
    writing a chain that audit_verify would reject.
    """

    def __init__(self, head: tuple[int, str]) -> None:
        self.rows = TextRows(AuditEvent, AUDIT_COLUMNS, {"channel": "web"})
        self.seq, self.prev_hash = head
        self.checked = False

    def add(
        self,
        event_id: int,
        created_at: str,
        actor_id: int,
        agency_id: int,
        action: str,
        object_type: str,
        object_id: int,
        object_repr: str,
        changes: str,
        ip_address: str | None,
    ) -> None:
        """Add one event; `changes` is its JSON, sorted and compact; codes and ids are plain."""
        self.seq += 1
        ip_json = "null" if ip_address is None else f'"{ip_address}"'
        payload = (
            f'{{"action":"{action}","actor_id":{actor_id},"agency_id":{agency_id},'
            f'"changes":{changes},"channel":"web","created_at":"{created_at}",'
            f'"ip_address":{ip_json},"object_id":"{object_id}","object_repr":"{object_repr}",'
            f'"object_type":"{object_type}","prev_hash":"{self.prev_hash}","seq":{self.seq}}}'
        )
        row_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        if not self.checked:
            self._check(row_hash, json.loads(payload))
        self.rows.add(
            event_id,
            created_at,
            actor_id,
            agency_id,
            action,
            object_type,
            object_id,
            object_repr,
            changes.translate(TEXT_ESCAPES),
            NULL if ip_address is None else ip_address,
            self.seq,
            self.prev_hash,
            row_hash,
        )
        self.prev_hash = row_hash

    def _check(self, row_hash: str, values: dict[str, Any]) -> None:
        values["created_at"] = datetime.datetime.fromisoformat(values["created_at"])
        seq, prev_hash = values.pop("seq"), values.pop("prev_hash")
        if row_hash != row_digest(AUDIT_CHAIN, seq=seq, prev_hash=prev_hash, values=values):
            raise RuntimeError("The generator's audit hash no longer matches row_digest.")
        self.checked = True


@lru_cache(maxsize=300_000)
def _kept(object_type: str, name: str, value: Any) -> str:
    """Return the JSON of what the audit trail keeps of a registered value [None, value]."""
    return _DUMPS(redact_change(object_type, name, [None, value]))


class RegistryChunk:
    """The row writers of one registry chunk and the draws they share."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.households = TextRows(
            Household,
            [
                "id",
                "code",
                "site_id",
                "address",
                "registered_on",
                "owning_agency_id",
                "created_by_id",
                "created_at",
            ],
        )
        self.people = TextRows(
            DisplacedPerson,
            PERSON_COLUMNS,
            {
                "other_names": "",
                "languages": "",
                "displaced_on": None,
                "phone": "",
                "documents": [],
                "consent_scope": "registration",
            },
        )
        self.needs = TextRows(
            PersonSpecificNeed, ["id", "person_id", "need_id", "recorded_by_id", "recorded_at"]
        )
        context = plan["context"]
        self.sites = expand(list(range(len(context["sites"]))), context["site_weights"], 2000)
        self.nationalities = expand(context["nationalities"], NATIONALITIES[1])
        self.statuses = expand(context["statuses"], STATUSES[1])
        self.officers = {int(k): v for k, v in context["officers"].items()}
        # Names and places go into COPY's text as they are: none needs escaping.
        for word in (*FEMALE_POOL, *MALE_POOL, *FAMILY_POOL, *ARABIC_GIVEN, *ARABIC_FAMILY):
            assert text_cell(word) == word, word

    def write(self, cursor: Any, chunk: int, head: tuple[int, str]) -> dict[str, int]:
        audit = AuditRows(head)
        plan, context = self.plan, self.plan["context"]
        size, total = plan["chunk_people"], plan["people"]
        first = chunk * size
        count = min(size, total - first)
        bases = plan["bases"]
        rng = random.Random(f"{plan['seed']}:registry:{chunk}")
        rand = rng.random
        now = datetime.datetime.fromisoformat(plan["now"])
        today = timezone.localtime(now).date().toordinal()
        span = datetime.timedelta(days=REGISTRY_SPAN_DAYS)
        person_id = bases["person"] + first
        household_id = bases["household"] + first
        audit_id = bases["audit"] + 2 * first
        need_id = bases["need"] + 2 * first
        made = 0
        adult_needs, child_needs = context["adult_needs"], context["child_needs"]
        person_type, household_type = "cases.displacedperson", "cases.household"
        while made < count:
            size_drawn = min(SIZES[int(rand() * len(SIZES))], count - made)
            site_index = self.sites[int(rand() * len(self.sites))]
            site_id = context["sites"][site_index]
            operators = context["operators"][site_index]
            agency_id = operators[int(rand() * len(operators))]
            officer = self.officers[agency_id]
            # Registration times grow with the ids, as they do in a live registry.
            moment = now - span * (1 - (first + made) / total)
            stamp = moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")
            registered_on = timezone.localtime(moment).date().isoformat()
            code = scrambled_code(codes.HOUSEHOLD_PREFIX, household_id)
            address = f"Block {'ABCDEFGH'[int(rand() * 8)]}, plot {1 + int(rand() * 400)}"
            self.households.add(
                household_id, code, site_id, address, registered_on, agency_id, officer, stamp
            )
            audit.add(
                audit_id,
                stamp,
                officer,
                agency_id,
                "household.register",
                household_type,
                household_id,
                code,
                f'{{"address":{_kept(household_type, "address", address)},'
                f'"owning_agency":[null,{agency_id}],"registered_on":[null,"{registered_on}"],'
                f'"site":[null,{site_id}]}}',
                f"10.{agency_id % 250}.0.{1 + int(rand() * 254)}",
            )
            audit_id += 1
            nationality = self.nationalities[int(rand() * len(self.nationalities))]
            status_id = self.statuses[int(rand() * len(self.statuses))]
            origin = names.PLACES[int(rand() * len(names.PLACES))]
            for relationship, sex, born_day, given, family in draw_household(
                rand, today, size_drawn
            ):
                born = datetime.date.fromordinal(born_day)
                estimated = rand() < 0.15
                if estimated:
                    born = born.replace(month=1, day=1)
                born_text = born.isoformat()
                status = PERSON_STATUS[int(rand() * len(PERSON_STATUS))]
                active = status == "active"
                number = scrambled_code(codes.PERSON_PREFIX, person_id)
                self.people.add(
                    person_id,
                    number,
                    household_id,
                    site_id,
                    relationship,
                    given,
                    family,
                    sex,
                    born_text,
                    "t" if estimated else "f",
                    nationality,
                    status_id,
                    nationality,
                    origin,
                    registered_on,
                    registered_on,
                    "person" if relationship == "head" else "caregiver",
                    officer,
                    status,
                    "" if active else "Reported by family",
                    r"\N" if active else registered_on,
                    agency_id,
                    *_key_cells(given, family),
                    officer,
                    stamp,
                    stamp,
                )
                audit.add(
                    audit_id,
                    stamp,
                    officer,
                    agency_id,
                    "person.register",
                    person_type,
                    person_id,
                    number,
                    f'{{"date_of_birth":{_kept(person_type, "date_of_birth", born_text)},'
                    f'"family_name":{_kept(person_type, "family_name", family)},'
                    f'"given_name":{_kept(person_type, "given_name", given)},'
                    f'"household":[null,{household_id}],"sex":{_kept(person_type, "sex", sex)},'
                    f'"site":[null,{site_id}]}}',
                    None,
                )
                audit_id += 1
                if rand() < 0.12:
                    child = today - born_day < 18 * 365
                    pool = child_needs + adult_needs if child else adult_needs
                    for need in rng.sample(pool, k=1 + int(rand() * 2)):
                        self.needs.add(need_id, person_id, need, officer, stamp)
                        need_id += 1
                person_id += 1
                made += 1
            household_id += 1
        return {
            "households": self.households.copy(cursor),
            "people": self.people.copy(cursor),
            "needs": self.needs.copy(cursor),
            "audit": audit.rows.copy(cursor),
        }
