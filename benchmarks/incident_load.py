"""Load incidents into a benchmark registry by COPY: realistic types, sites, dates and counts.

The request-speed and throughput benchmarks need a few hundred thousand incidents beside the
people `benchmarks.generate` makes. Each incident is reported by one of the agencies working at
its site (mostly the managing one), by that agency's officer, over the last two years; a tenth
name one to three registered victims of the same site. Descriptions are encrypted as the model
encrypts them (a small set of texts, each encrypted once: the column's format is the real one).
"""

import datetime
import random
import secrets
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from benchmarks.bulk import Table, next_id, reset_sequence
from camps.models import Site
from cases.models import DisplacedPerson
from incidents.models import (
    DatePrecision,
    Incident,
    IncidentStatus,
    IncidentType,
    IncidentVictim,
    InformationSource,
    PerpetratorCategory,
    Verification,
)
from protection.accounts.models import Role, User

BATCH = 20_000
DESCRIPTIONS = [
    "Armed men entered the site at night and took food and livestock.",
    "A group of children were stopped at a checkpoint on the way to school.",
    "Shelters burned after a fight between two groups near the water point.",
    "A woman was attacked while collecting firewood outside the perimeter.",
    "Community leaders report threats against returnees claiming their land.",
    "Two boys were approached by a recruiter at the market.",
]


def incident_count() -> int:
    return Incident.objects.count()


def load_incidents(
    *, count: int, rng: random.Random, progress: Callable[[str], None] = print
) -> int:
    """Insert `count` incidents (and some victim links) by COPY; return how many were made."""
    types = list(IncidentType.objects.filter(active=True).values_list("pk", "taxonomy"))
    perpetrators = list(PerpetratorCategory.objects.values_list("pk", flat=True))
    officers = {
        u.agency_id: u.pk
        for u in User.objects.filter(role=Role.PROTECTION_OFFICER, agency__isnull=False)
    }
    sites = []
    for site in Site.objects.prefetch_related("operating_agencies"):
        agencies = [site.managing_agency_id] * 4 + [a.pk for a in site.operating_agencies.all()]
        agencies = [a for a in agencies if a in officers]
        if agencies:
            sites.append((site.pk, site.admin1, agencies))
    if not (types and perpetrators and sites):
        raise SystemExit("The benchmark database needs reference data, sites and officers.")
    field = Incident._meta.get_field("description")
    ciphertexts = [field.get_prep_value(text) for text in DESCRIPTIONS]
    victims = list(DisplacedPerson.objects.order_by("?").values_list("id", flat=True)[:20_000])
    table, victims_table = Table(Incident), Table(IncidentVictim)
    now = timezone.now()
    made = 0
    with transaction.atomic(), connection.cursor() as cursor:
        first = next_id(cursor, Incident)
        link_id = next_id(cursor, IncidentVictim)
        cursor.execute("SET LOCAL session_replication_role = replica")
        while made < count:
            rows, links = [], []
            for offset in range(min(BATCH, count - made)):
                pk = first + made + offset
                site_id, admin1, agencies = rng.choice(sites)
                agency = rng.choice(agencies)
                type_id, taxonomy = rng.choice(types)
                occurred = now - datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
                reported = occurred + datetime.timedelta(minutes=rng.randrange(10, 4 * 24 * 60))
                reported = min(reported, now)
                counts = [rng.choice([0, 0, 0, 1, 2]) for _ in range(4)]
                if not any(counts):
                    counts[rng.randrange(4)] = 1
                children = counts[0] + counts[1] > 0 or taxonomy == "grave_violation"
                rows.append(
                    table.row(
                        {
                            "id": pk,
                            "reference": f"I-{secrets.token_hex(5).upper()}",
                            "incident_type_id": type_id,
                            "severity": rng.choices([1, 2, 3, 4], [30, 40, 20, 10])[0],
                            "occurred_at": occurred,
                            "occurred_precision": rng.choice(list(DatePrecision.values)),
                            "reported_at": reported,
                            "site_id": site_id,
                            "admin1": admin1,
                            "admin2": "",
                            "location_detail": "",
                            "female_children": counts[0],
                            "male_children": counts[1],
                            "female_adults": counts[2],
                            "male_adults": counts[3],
                            "perpetrator_category_id": rng.choice(perpetrators),
                            "source": rng.choice(list(InformationSource.values)),
                            "verification": rng.choices(list(Verification.values), [70, 25, 5])[0],
                            "description": rng.choice(ciphertexts),
                            "actions_taken": "",
                            "involves_children": children,
                            "status": rng.choices(list(IncidentStatus.values), [30, 20, 50])[0],
                            "reported_by_id": officers[agency],
                            "reporting_agency_id": agency,
                            "updated_at": reported,
                        }
                    )
                )
                if victims and rng.random() < 0.1:
                    for person in rng.sample(victims, rng.randint(1, 3)):
                        links.append(
                            victims_table.row(
                                {
                                    "id": link_id,
                                    "incident_id": pk,
                                    "person_id": person,
                                    "added_by_id": officers[agency],
                                    "added_at": reported,
                                }
                            )
                        )
                        link_id += 1
            table.copy(cursor, rows)
            if links:
                victims_table.copy(cursor, links)
            made += len(rows)
            progress(f"  {made:,} incidents")
    with connection.cursor() as cursor:
        reset_sequence(cursor, Incident)
        reset_sequence(cursor, IncidentVictim)
        cursor.execute("ANALYZE incidents_incident; ANALYZE incidents_incidentvictim")
    return made
