"""On PostgreSQL, the sound keys of the names as a set of words, in a GIN index (issue 12).

Search looks for one word's key among the keys of each person's names. The trigram index on
`name_keys` served that as a pattern (" HASAN ") and handed back every row sharing its
trigrams (any key starting or ending alike), each then read and rechecked: 46,000 rows read to
find the 42,000 "HASAN" among 1,000,000 people, and 57,000 read for none with a two-letter key.
An index of the keys themselves (`cases.registry.filters.HoldsWord`) finds exactly the rows
that hold the key. It replaces the trigram index, which nothing else reads.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS person_sound_keys_gin ON cases_displacedperson "
    "USING gin (string_to_array(btrim(name_keys), ' '));"
)
TRIGRAMS = (
    "CREATE INDEX IF NOT EXISTS person_name_keys_trgm ON cases_displacedperson "
    "USING gin (name_keys gin_trgm_ops);"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    schema_editor.execute("DROP INDEX IF EXISTS person_name_keys_trgm;")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRIGRAMS)
    schema_editor.execute("DROP INDEX IF EXISTS person_sound_keys_gin;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_search_ayn_marks")]
    operations = [migrations.RunPython(forwards, backwards)]
