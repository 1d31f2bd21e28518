"""The data-subject report's frame: its purposes, its formats, the apps' sections, the reads.

A person may learn everything an agency holds about them and who read it (ICRC Handbook on
Data Protection in Humanitarian Action, IASC guidance on data responsibility). The registry
builds the report (cases/registry/subject.py); the apps above it (casework, incidents) add
what they hold about the person as sections, registered here from AppConfig.ready(), so that
the registry never imports them. The officer opening a report chooses why from a fixed list,
and the access log keeps that purpose and the format read (page, PDF or JSON) with the read.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from protection.models import AccessLog, AccessPurpose, Channel, RecordPart

if TYPE_CHECKING:
    from protection.accounts.models import User

# The reasons an officer may give for opening a report; any other purpose is refused.
SUBJECT_REPORT_PURPOSES: tuple[AccessPurpose, ...] = (
    AccessPurpose.SUBJECT_REQUEST,
    AccessPurpose.CORRECTION,
    AccessPurpose.LEGAL,
    AccessPurpose.DATA_PROTECTION_REVIEW,
)

# The part of the access log row that says in which form the report was read.
FORMAT_PARTS: Mapping[str, RecordPart] = {
    "page": RecordPart.SUBJECT_REPORT,
    "pdf": RecordPart.SUBJECT_REPORT_PDF,
    "json": RecordPart.SUBJECT_REPORT_JSON,
}

# The JSON download's identity: a consumer checks it before reading the keys.
REPORT_SCHEMA = "protection.subject-report"
REPORT_VERSION = 1


def purpose_choices() -> list[tuple[str, str]]:
    """Return (code, label) of the purposes a report may be opened for, in their order."""
    return [(purpose.value, str(purpose.label)) for purpose in SUBJECT_REPORT_PURPOSES]


def purpose_validate(purpose: str | None) -> AccessPurpose:
    """Return the purpose if it is one a report may be opened for; else a field error."""
    if not purpose:
        raise ValidationError(
            {"purpose": _("Choose why you are opening this report.")}, code="required"
        )
    for allowed in SUBJECT_REPORT_PURPOSES:
        if purpose == allowed.value:
            return allowed
    raise ValidationError(
        {"purpose": _("Choose one of the listed purposes.")}, code="invalid_choice"
    )


def choice_labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Return {code: label} of a list of choices, translated once for many rows."""
    return {str(value): str(label) for value, label in choices}


def coded(code: str, choices: Iterable[tuple[Any, Any]] | Mapping[str, str]) -> dict[str, str]:
    """Return a coded value as the report carries it: the code, and its label to read."""
    labels = choices if isinstance(choices, Mapping) else choice_labels(choices)
    return {"code": code, "label": labels.get(code, code)}


@dataclass(frozen=True)
class SectionContent:
    """What one section holds about the person.

    `rows` are JSON-ready (codes with labels, ISO dates through DjangoJSONEncoder); `read` are
    the records shown, logged with the report's purpose; `history` are those whose reads the
    report lists besides the person's own (a case file, a referral that carried their data).
    """

    rows: list[dict[str, Any]]
    read: Sequence[Model] = ()
    history: Sequence[Model] = ()


@dataclass(frozen=True)
class SubjectSection:
    """A part of the report an app contributes: its JSON key, title, template and builder."""

    key: str
    title: "str | Promise"
    template: str
    order: int
    build: Callable[["User", Model], SectionContent]


_SECTIONS: dict[str, SubjectSection] = {}


def register_subject_section(section: SubjectSection) -> None:
    """Add a section to every report (an app calls it once, from AppConfig.ready)."""
    _SECTIONS[section.key] = section


def subject_sections() -> list[SubjectSection]:
    """Return the registered sections in the order the report shows them."""
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


@dataclass(frozen=True)
class RecordName:
    """How the report names a record in its access history: its code and what it is."""

    code: str
    kind: str


@dataclass(frozen=True)
class AccessEntry:
    """One read of the person's file, as the report lists it."""

    at: datetime.datetime
    user: str
    user_name: str
    agency: str
    record: str
    record_kind: str
    purpose: dict[str, str]
    part: dict[str, str]
    channel: dict[str, str]

    def as_row(self) -> dict[str, Any]:
        """Return the entry under the report's stable keys."""
        return {
            "at": self.at,
            "user": self.user,
            "user_name": self.user_name,
            "agency": self.agency,
            "record": self.record,
            "record_kind": self.record_kind,
            "purpose": self.purpose,
            "part": self.part,
            "channel": self.channel,
        }


def access_history(names: Mapping[tuple[str, str], RecordName]) -> list[AccessEntry]:
    """Return every logged read of the named records, newest first, in one indexed query."""
    if not names:
        return []
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in names:
        by_type.setdefault(object_type, []).append(object_id)
    condition = Q()
    for object_type, ids in by_type.items():
        condition |= Q(object_type=object_type, object_id__in=ids)
    rows = (
        AccessLog.objects.filter(condition)
        .select_related("user", "agency")
        .order_by("-created_at", "-id")
    )
    purposes, parts, channels = (
        choice_labels(choices)
        for choices in (AccessPurpose.choices, RecordPart.choices, Channel.choices)
    )
    entries = []
    for row in rows:
        name = names[(row.object_type, row.object_id)]
        entries.append(
            AccessEntry(
                at=row.created_at,
                user=row.user.get_username(),
                user_name=row.user.get_full_name() or row.user.get_username(),
                agency=row.agency.name if row.agency is not None else "",
                record=name.code,
                record_kind=name.kind,
                purpose=coded(row.purpose, purposes),
                part=coded(row.part, parts),
                channel=coded(row.channel, channels),
            )
        )
    return entries
