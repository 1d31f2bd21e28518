"""The rows of the person list page, ready to print.

A page of fifty people rendered from the models asks the template engine for two display
labels a row (each rebuilding the field's choices) and three reversed URLs; that was most of
the page's time. The rows are made here in one pass, with the labels looked up once per page
and the links joined from one reversed route.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from cases.models import DisplacedPerson, PersonStatus, Sex
from protection.pages import detail_url
from protection.templatetags.pages import age


@dataclass(frozen=True)
class PersonRow:
    url: str
    registration_number: str
    full_name: str
    other_names: str
    sex: str
    age: int | str
    age_estimated: bool
    displacement_status: str
    site: str
    household_url: str
    household_code: str
    active: bool
    status: str


def person_rows(people: Sequence[DisplacedPerson]) -> list[PersonRow]:
    """Return the list page's rows for people read with their site, household and status."""
    sexes = {value: str(label) for value, label in Sex.choices}
    statuses = {value: str(label) for value, label in PersonStatus.choices}
    person_url = detail_url("cases:person_detail")
    household_url = detail_url("cases:household_detail")
    labels: dict[int, str] = {}
    rows = []
    for person in people:
        status_id = person.displacement_status_id
        if status_id not in labels:
            labels[status_id] = person.displacement_status.label
        rows.append(
            PersonRow(
                url=person_url(person.pk),
                registration_number=person.registration_number,
                full_name=person.full_name,
                other_names=person.other_names,
                sex=sexes.get(person.sex, person.sex),
                age=age(person.date_of_birth),
                age_estimated=person.date_of_birth_estimated,
                displacement_status=labels[status_id],
                site=person.site.name,
                household_url=household_url(person.household_id),
                household_code=person.household.code,
                active=person.status == PersonStatus.ACTIVE,
                status=statuses.get(person.status, person.status),
            )
        )
    return rows
