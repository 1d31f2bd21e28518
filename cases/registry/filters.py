"""Filters for the registry lists, shared by the pages and the API."""

from typing import Any

import django_filters
from django.db import connections, transaction
from django.db.models import F, Lookup, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import DisplacedPerson, Household, PersonStatus, Sex
from cases.registry.blocking import scope_where
from cases.registry.duplicates import normalise, phonetic_key, sound_key
from cases.registry.identifiers import document_q
from cases.registry.language import language_filter_q
from protection.codes import HOUSEHOLD_PREFIX, canonical_code


class HoldsWord(Lookup):  # type: ignore[type-arg]
    """The column, space-separated words, holds this word: `HoldsWord(F("name_keys"), "DANG")`.

    Used as an expression in a Q (not registered on a field). On PostgreSQL the words as an
    array, as the GIN index person_sound_keys_gin holds them (cases/migrations/0020), so only
    the rows holding the word are read; elsewhere a pattern on the space-framed column.
    """

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE ('%% ' || {rhs} || ' %%')", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (
            f"string_to_array(btrim({lhs}), ' ') @> ARRAY[{rhs}]::text[]",
            [*lhs_params, *rhs_params],
        )


def name_or_number_q(text: str) -> Q:
    """Match a registration or household code, or every word of a name (spelling-tolerant).

    Each word matches as a substring of the normalised names, or by the sound key of any word
    of the names ('Rebeca' finds 'Rebecca', 'Dheng' finds 'Deng'; a trigram and a GIN index serve
    them on PostgreSQL), or by the whole-name phonetic key, so 'Mohamad' finds 'Muhammad'.
    """
    code = canonical_code(text)
    by_code = Q()
    if code is not None:
        if code.startswith(HOUSEHOLD_PREFIX):
            # The household's id first, from its unique code: a join, or a subquery, in an OR
            # makes PostgreSQL read the whole registry; a list of ids keeps every arm indexed.
            households = list(Household.objects.filter(code=code).values_list("pk", flat=True))
            by_code = Q(household_id__in=households)
        else:
            by_code = Q(registration_number=code)
        words = text.split()
        if any(char.isdigit() or char == "-" for char in text) or min(map(len, words)) == 1:
            return by_code
        # Words of letters ("Hamad Lado" reads as H-AMAD-1AD0 once typos are mended): a name
        # too. A code typed apart ("p 7k2m 9qx4", "P-…") is only a code.
    query = Q()
    for word in normalise(text).split():
        if len(word) < 3:
            # An initial or a particle ("M Deng", "Al"): the start of a word of the names. As a
            # substring anywhere it would match most names, and a trigram index cannot serve a
            # pattern under three letters unless it is anchored at a word's start.
            word_q = Q(name_search__startswith=word) | Q(name_search__contains=f" {word}")
        else:
            word_q = Q(name_search__contains=word)
        if sound := sound_key(word):
            word_q |= Q(HoldsWord(F("name_keys"), sound))
        key = phonetic_key(word)
        if len(word) >= 3 and key:
            word_q |= Q(given_key=key) | Q(family_key=key)
        query &= word_q
    return (query | by_code) if code is not None else query


# A search matching at most this many people is paged over its own ids.
SEARCH_ID_CAP = 2000
# The newest registrations a search looks among first, and the matches there that make a name
# common enough for the walk.
PROBE_WINDOW = 20_000
PROBE_ENOUGH = 20
# The capped fetch ANDs the index bitmaps of the words. Within PostgreSQL's default work_mem
# (4 MB) a bitmap of a few hundred thousand rows turns lossy and every page it names is read
# and rechecked: 876 ms instead of 194 ms for "Aminna Idris" at 10,000,000 people. Only this
# statement gets more. Nor may it read the table in order hoping to meet its 2,001 rows soon:
# the planner guesses how many match from each word alone, and where it guessed 36,761 for
# "Hussien Ibrahim" the sequential scan read most of the 10,000,000 rows (6 to 7 s; 0.7 s by
# the indexes).
SEARCH_WORK_MEM = "32MB"
_FETCH_SETTINGS = (
    "SELECT set_config('work_mem', %s, true), set_config('enable_seqscan', 'off', true)"
)


# OFFSET 0 keeps the subquery apart; named like the table, the rows it gives answer the
# condition as compiled for the table.
_FENCED = "SELECT {table}.id FROM ({inner} OFFSET 0) AS {table} WHERE {where} LIMIT %s"


def _matching_ids(matches: QuerySet[DisplacedPerson], named: Q | None, limit: int) -> list[int]:
    """Return up to `limit` ids of `matches`, unordered, through the indexes (see above).

    With `named` (the name's own condition, which `matches` holds with the access scope and
    the list's filters), the name is matched first, alone, behind a fence the planner does not
    see through, and `matches`' whole condition is checked on the rows it gives. Otherwise
    PostgreSQL ANDs the agency's bitmap (40 % of the registry: 400,000 rows at 1,000,000 people,
    4,000,000 at 10,000,000) with the words' own, to save reading rows the words had already
    narrowed to a few thousand.
    """
    ids = matches.order_by().values_list("pk", flat=True)[:limit]
    alias = ids.db
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return list(ids)
    fenced = _fenced(matches, named, limit) if named is not None else None
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(_FETCH_SETTINGS, [SEARCH_WORK_MEM])
        if fenced is None:
            return list(ids)
        cursor.execute(*fenced)
        return [pk for (pk,) in cursor.fetchall()]


def _fenced(
    matches: QuerySet[DisplacedPerson], named: Q, limit: int
) -> tuple[str, list[Any]] | None:
    """Return the statement of `_matching_ids` with the name matched first, or None when
    `matches` reads another table than the people's (a filter's join)."""
    scope = scope_where(matches)
    if scope is None:
        return None
    where, where_params = scope
    connection = connections[matches.db]
    inner = DisplacedPerson.objects.using(matches.db).filter(named).order_by()
    inner_sql, inner_params = inner.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(DisplacedPerson._meta.db_table)
    sql = _FENCED.format(table=table, inner=inner_sql, where=where)
    return sql, [*inner_params, *where_params, limit]


def narrow_search(
    matches: QuerySet[DisplacedPerson], named: Q | None = None
) -> QuerySet[DisplacedPerson]:
    """Return the same rows, in a form PostgreSQL pages quickly whatever the name's frequency.

    Pages read the newest 50 by id. For a rare name (or none) the planner walks the primary
    key backwards through the whole registry looking for matches; for a common one that walk
    is the fast plan. A probe of the newest PROBE_WINDOW ids (a short range of the primary key)
    tells them apart at once: a name found often there, or often enough that the registry
    would hold more than SEARCH_ID_CAP of it at that rate, keeps the walk. Otherwise fetching up
    to SEARCH_ID_CAP matching ids, unordered, through the name indexes settles it: a complete
    set is paged over its own ids, and only a name common in older registrations keeps the
    walk. (Two common words together, "Ahmed Adam", made that fetch read millions of index
    entries at 10,000,000 people: 2 to 5 s, where the walk takes a fraction of a second.)
    """
    newest = DisplacedPerson.objects.order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return matches
    recent = matches.filter(pk__gt=newest - PROBE_WINDOW).order_by().values_list("pk", flat=True)
    found = len(recent[:PROBE_ENOUGH])
    if found >= PROBE_ENOUGH or found * newest > SEARCH_ID_CAP * PROBE_WINDOW:
        return matches
    ids = _matching_ids(matches, named, SEARCH_ID_CAP + 1)
    if len(ids) <= SEARCH_ID_CAP:
        return matches.filter(pk__in=ids)
    return matches


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name or registration number"))
    site = django_filters.NumberFilter(field_name="site_id", label=_("Site"))
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household"))
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, label=_("Status"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("Sex"))
    specific_need = django_filters.CharFilter(method="filter_need", label=_("Specific-need code"))
    displacement_status = django_filters.CharFilter(
        field_name="displacement_status__code", label=_("Displacement status code")
    )
    speaks = django_filters.CharFilter(
        method="filter_speaks", label=_("Speaks the language (ISO 639 code)")
    )
    document = django_filters.CharFilter(
        method="filter_document", label=_("Document number or biometric id (exact)")
    )
    needs_interpreter = django_filters.BooleanFilter(
        method="filter_interpreter", label=_("Needs an interpreter")
    )

    class Meta:
        model = DisplacedPerson
        fields = [
            "q",
            "site",
            "household",
            "status",
            "sex",
            "specific_need",
            "displacement_status",
            "speaks",
            "needs_interpreter",
            "document",
        ]

    def filter_q(
        self, queryset: QuerySet[DisplacedPerson], name: str, value: str
    ) -> QuerySet[DisplacedPerson]:
        """Match names or numbers; see `narrow_search` for why the matches are fetched first."""
        if not value.strip():
            return queryset
        named = name_or_number_q(value)
        return narrow_search(queryset.filter(named), named)

    def filter_need(
        self, queryset: QuerySet[DisplacedPerson], name: str, value: str
    ) -> QuerySet[DisplacedPerson]:
        code = value.strip().upper()
        if not code:
            return queryset
        # A category code (e.g. SC) matches all its codes; a full code (SC-UC) matches one.
        field = "need__code" if "-" in code else "need__category__code"
        return queryset.filter(
            pk__in=DisplacedPerson.specific_needs.through.objects.filter(**{field: code}).values(
                "person_id"
            )
        )

    def filter_document(
        self, queryset: QuerySet[DisplacedPerson], name: str, value: str
    ) -> QuerySet[DisplacedPerson]:
        """Match the keyed hash of the number: the database never sees the number itself."""
        return queryset.filter(document_q(value)).distinct() if value.strip() else queryset

    def filter_speaks(
        self, queryset: QuerySet[DisplacedPerson], name: str, value: str
    ) -> QuerySet[DisplacedPerson]:
        return queryset.filter(language_filter_q(speaks=value)) if value.strip() else queryset

    def filter_interpreter(
        self, queryset: QuerySet[DisplacedPerson], name: str, value: bool | None
    ) -> QuerySet[DisplacedPerson]:
        if value is None:
            return queryset
        return queryset.filter(language_filter_q(needs_interpreter=value))


class HouseholdFilter(django_filters.FilterSet):
    site = django_filters.NumberFilter(field_name="site_id", label=_("Site"))
    code = django_filters.CharFilter(method="filter_code", label=_("Household code"))

    class Meta:
        model = Household
        fields = ["site", "code"]

    def filter_code(
        self, queryset: QuerySet[Household], name: str, value: str
    ) -> QuerySet[Household]:
        code = canonical_code(value)
        return queryset.filter(code=code) if code else queryset.none()
