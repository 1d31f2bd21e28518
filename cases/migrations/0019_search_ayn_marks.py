"""Recompute the search keys of the names that hold an ʿayn, a ta marbuta or a schwa (issue 12).

`cases.registry.duplicates.normalise` read the marks unidecode writes for these letters (a
backtick, an at sign) as spaces: "إسماعيل" was stored as "sm yl", two fragments under the three
letters a trigram index can use, so a search for it read the whole index, and the sound keys
of such names were missing. Only the people whose names hold one of these letters are read, in
one pass over the table by batches of ids, and only those whose keys differ are rewritten.
"""

import re
import warnings

from django.db import migrations
from django.db.models import Q

BATCH = 2000
# Rows per UPDATE: bulk_update writes one CASE per column, whose cost grows with its square.
UPDATE_BATCH = 200


def _marked_letters() -> str:
    """Return a regular-expression class of the letters unidecode writes as "`" or "@"."""
    from unidecode import unidecode

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        letters = [
            chr(code)
            for code in (*range(0x80, 0xD800), *range(0xE000, 0x10000))
            if {"`", "@"} & set(unidecode(chr(code)))
        ]
    return "[" + "".join(re.escape(letter) for letter in letters) + "]"


def recompute(apps, schema_editor):
    from cases.registry.duplicates import SEARCH_KEY_FIELDS, search_keys

    person = apps.get_model("cases", "DisplacedPerson")
    marked = _marked_letters()
    names = (
        Q(given_name__regex=marked) | Q(family_name__regex=marked) | Q(other_names__regex=marked)
    )
    last = 0
    while True:
        batch = list(
            person.objects.filter(names, pk__gt=last)
            .order_by("pk")
            .only("pk", "given_name", "family_name", "other_names", *SEARCH_KEY_FIELDS)[:BATCH]
        )
        if not batch:
            return
        changed = []
        for row in batch:
            keys = search_keys(row.given_name, row.family_name, row.other_names).as_fields()
            if any(getattr(row, name) != value for name, value in keys.items()):
                for name, value in keys.items():
                    setattr(row, name, value)
                changed.append(row)
        person.objects.bulk_update(changed, list(SEARCH_KEY_FIELDS), batch_size=UPDATE_BATCH)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_photo_person_photo")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
