"""The bulk audit path hashes and stores exactly what one event at a time would."""

import datetime

from django.utils import timezone

from protection.audit_chain import AUDIT_CHAIN, GENESIS, ChainStamper, row_digest


def test_the_bulk_digest_is_the_digest_of_row_digest_for_every_shape_of_changes() -> None:
    now = timezone.now()
    shared = {
        "created_at": now,
        "actor_id": 7,
        "agency_id": None,
        "action": "person.register",
        "object_type": "cases.displacedperson",
        "channel": "task",
        "ip_address": "::ffff:10.0.0.1",
    }
    changes = [
        {"site": [None, 3], "household": [None, 12], "registry_import": [None, 4]},
        {"status": ["duplicate", "accepted"], "import_row": [None, 6]},
        {"weight": [1.0, 2.5], "nested": {"b": (1, 2), "a": "نور"}},
        {},
        {"flag": [True, False]},
    ]
    stamper = ChainStamper(AUDIT_CHAIN, (41, GENESIS))
    prev, seq = GENESIS, 41
    for number, change in enumerate(changes):
        values = shared | {
            "object_id": str(number),
            "object_repr": f"P-{number}",
            "changes": change,
            "created_at": now + datetime.timedelta(microseconds=number),
        }
        seq += 1
        expected = row_digest(AUDIT_CHAIN, seq=seq, prev_hash=prev, values=values)
        assert stamper.stamp(dict(values))["row_hash"] == expected
        prev = expected
