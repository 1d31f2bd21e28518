"""The person's photo and identifiers as a referral carries them to a partner, under consent.

A referral shares the photo as a flag (whether one was held when it was sent); the partner
fetches the image through the referral (`referral_photo_get`), so that the read is logged
under the referral, never cached, and ends when the person's photo is removed or the person
anonymised. The identifiers are copied into the referral's encrypted shared data when it is
sent, like every other shared field.
"""

from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cases.casework.selectors import referral_inbox
from cases.models import IdentifierKind, Referral, SharedField
from cases.registry.photo import Photo, load_photo
from protection.models import AccessPurpose, RecordPart
from protection.reads import log_read

if TYPE_CHECKING:
    from protection.accounts.models import User


def identity_words(field: str, value: Any) -> str:
    """Return a shared photo flag or list of identifiers as words for the referral pages."""
    if field == SharedField.PHOTO:
        return _("Shared") if value else _("No photo was held")
    rows = []
    for item in value or []:
        words = f"{item.get('scheme_label') or item.get('scheme')}: {item.get('number')}"
        if item.get("kind") == IdentifierKind.DOCUMENT and item.get("issuing_country"):
            words += f" ({item['issuing_country']})"
        rows.append(words)
    return "; ".join(rows) or "—"


def referral_photo_get(*, user: "User", pk: int) -> Photo:
    """Return the photo shared with a referral sent to the user's agency; log the read under
    the referral. 404 when the referral is not theirs, did not share the photo, or the photo
    was removed since."""
    referral = get_object_or_404(referral_inbox(user=user), pk=pk)
    if not referral.shared_data.get(SharedField.PHOTO):
        raise Http404
    person_id = (
        Referral.objects.filter(pk=referral.pk).values_list("case__primary_person_id", flat=True)
    ).first()
    photo = load_photo(person_id) if person_id is not None else None
    if photo is None:
        raise Http404
    log_read(user=user, objects=[referral], purpose=AccessPurpose.DETAIL, part=RecordPart.PHOTO)
    return photo
