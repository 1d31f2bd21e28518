"""The registry: households, displaced people, their specific needs, duplicate decisions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from protection.reference import ReferenceItem


class DisplacementStatus(ReferenceItem):
    """UNHCR population type: refugee, asylum seeker, IDP, returnee, stateless, host, ..."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("displacement status")
        verbose_name_plural = _("displacement statuses")


class SpecificNeedCategory(ReferenceItem):
    """A UNHCR specific-needs category (CR child at risk, SC separated child, ...)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("specific-need category")
        verbose_name_plural = _("specific-need categories")


class SpecificNeed(ReferenceItem):
    """A UNHCR specific-needs code (CR-AF, SC-UC, DS-PM, ...)."""

    category = models.ForeignKey(
        SpecificNeedCategory,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("category"),
    )

    # The category is fixed with the code: the age rules read it.
    stable_fields = ("code", "category")

    class Meta(ReferenceItem.Meta):
        verbose_name = _("specific need")
        verbose_name_plural = _("specific needs")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Household(models.Model):
    """People who live and eat together, registered together at one site."""

    code = models.CharField(_("household code"), max_length=20, unique=True, editable=False)
    # Not indexed alone: household_site_idx (site, id) and household_agency_idx lead with them.
    site = models.ForeignKey(
        "camps.Site",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("site"),
        db_index=False,
    )
    address = models.CharField(_("shelter / plot"), max_length=120, blank=True)
    registered_on = models.DateField(_("registration date"))
    owning_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("owning agency"),
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set when every member was anonymised (cases/registry/anonymisation.py) and the address
    # went with them.
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["site", "-id"], name="household_site_idx"),
            models.Index(fields=["owning_agency", "-id"], name="household_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("cases:household_detail", args=[self.pk])


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown / not stated")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse / partner")
    CHILD = "child", _("Son / daughter")
    PARENT = "parent", _("Father / mother")
    SIBLING = "sibling", _("Brother / sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NOT_RELATED = "not_related", _("Not related")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DEPARTED = "departed", _("Departed")
    DECEASED = "deceased", _("Deceased")
    REPATRIATED = "repatriated", _("Repatriated")
    RESETTLED = "resettled", _("Resettled")
    LOCALLY_INTEGRATED = "locally_integrated", _("Locally integrated")


class ConsentScope(models.TextChoices):
    REGISTRATION = "registration", _("Registration and assistance by the registering agency")
    SHARING = "sharing", _("Also sharing with service providers under a data-sharing agreement")


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", _("The person")
    CAREGIVER = "caregiver", _("Parent or caregiver")
    GUARDIAN = "guardian", _("Legal guardian")


class DocumentType(models.TextChoices):
    NATIONAL_ID = "national_id", _("National identity card")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    REFUGEE_ID = "refugee_id", _("Refugee / asylum-seeker document")
    RATION_CARD = "ration_card", _("Ration card")
    OTHER = "other", _("Other document")


class DisplacedPerson(models.Model):
    """A registered person: refugee, asylum seeker, IDP, returnee, stateless or host."""

    registration_number = models.CharField(
        _("registration number"), max_length=20, unique=True, editable=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    # The household's site, kept on the person so that population and search filters use one
    # index instead of a join across millions of rows; services keep the two equal.
    # Not indexed alone: person_site_status_idx (site, status) leads with it, as
    # person_agency_idx (owning_agency, id) does with the agency: each write maintains less.
    site = models.ForeignKey(
        "camps.Site",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("site"),
        db_index=False,
    )
    relationship_to_head = models.CharField(
        _("relationship to head"), max_length=20, choices=Relationship.choices
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    other_names = models.CharField(_("other names / aliases"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    date_of_birth_estimated = models.BooleanField(
        _("date of birth estimated"),
        default=False,
        help_text=_("Set when only an approximate age was known."),
    )
    nationality = models.ForeignKey(
        "camps.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality"),
    )
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    displacement_status = models.ForeignKey(
        DisplacementStatus,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("displacement status"),
    )
    origin_country = models.ForeignKey(
        "camps.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country of origin"),
    )
    origin_location = models.CharField(_("place of origin"), max_length=200, blank=True)
    displaced_on = models.DateField(_("date of displacement"), null=True, blank=True)
    arrived_on = models.DateField(_("date of arrival at site"), null=True, blank=True)
    specific_needs: "models.ManyToManyField[SpecificNeed, PersonSpecificNeed]" = (
        models.ManyToManyField(
            SpecificNeed,
            through="PersonSpecificNeed",
            related_name="people",
            blank=True,
            verbose_name=_("specific needs"),
        )
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    documents = models.JSONField(_("documents held"), default=list, blank=True)
    consent_date = models.DateField(_("consent to registration: date"))
    consent_given_by = models.CharField(
        _("consent given by"), max_length=20, choices=ConsentGivenBy.choices
    )
    consent_scope = models.CharField(
        _("consent scope"), max_length=20, choices=ConsentScope.choices
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    status_reason = models.CharField(_("reason for status"), max_length=300, blank=True)
    status_changed_on = models.DateField(_("status date"), null=True, blank=True)
    owning_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("owning agency"),
        db_index=False,
    )
    # Search keys derived from the names by cases.registry.duplicates; indexed for blocking.
    name_search = models.CharField(max_length=400, editable=False, default="")
    given_key = models.CharField(max_length=40, editable=False, default="")
    family_key = models.CharField(max_length=40, editable=False, default="")
    # The sound key of each word of the names (" DANG NYAC "), for spelling-tolerant search.
    name_keys = models.CharField(max_length=400, editable=False, default="")
    # The letters of each name, each once ("afimt"), for duplicate blocking beside the keys.
    given_letters = models.CharField(max_length=40, editable=False, default="")
    family_letters = models.CharField(max_length=40, editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Retention and erasure (cases/registry/anonymisation.py): a hold keeps the record as it
    # is; anonymised_on says when names, contacts and the exact birth date were removed.
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        editable=False,
        help_text=_("Kept as it is, whatever the retention rules say, until the hold is lifted."),
    )
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("displaced person")
        verbose_name_plural = _("displaced people")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relationship_to_head="head"),
                name="one_head_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status"], name="person_site_status_idx"),
            # A site's people born in the months an age boundary falls in (camps.birth_months),
            # and the recount of its kept counts: read from the index alone (an index-only
            # scan), never the people's wide rows.
            models.Index(
                fields=["site", "date_of_birth"],
                include=["sex", "household"],
                condition=models.Q(status="active"),
                name="person_site_active_idx",
            ),
            models.Index(fields=["owning_agency", "-id"], name="person_agency_idx"),
            models.Index(fields=["family_key", "date_of_birth"], name="person_family_key_idx"),
            models.Index(fields=["given_key", "date_of_birth"], name="person_given_key_idx"),
            # Retention walks the departed people not yet anonymised, by id: a small index
            # that anonymised people leave.
            models.Index(
                fields=["id"],
                condition=models.Q(anonymised_on__isnull=True) & ~models.Q(status="active"),
                name="person_retention_idx",
            ),
            # Both names alike at once: the bulk import's duplicate blocking reads a range of it.
            models.Index(
                fields=["given_key", "family_key", "date_of_birth"], name="person_names_key_idx"
            ),
            # One name's phonetic key with the other's letters: the duplicate check walks these
            # outwards from a birth date when a slip changed one name's key.
            models.Index(
                fields=["family_key", "given_letters", "date_of_birth"],
                name="person_family_letters_idx",
            ),
            models.Index(
                fields=["given_key", "family_letters", "date_of_birth"],
                name="person_given_letters_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.registration_number})"

    def get_absolute_url(self) -> str:
        return reverse("cases:person_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        if self.anonymised_on is not None:
            return str(_("Anonymised person"))
        return f"{self.given_name} {self.family_name}".strip()


class PersonSpecificNeed(models.Model):
    """A specific need recorded for a person, with who recorded it and when."""

    # Neither indexed alone: person_need_once (person, need) and need_person_idx (need, person)
    # lead with each.
    person = models.ForeignKey(
        DisplacedPerson, on_delete=models.CASCADE, related_name="need_records", db_index=False
    )
    need = models.ForeignKey(
        SpecificNeed, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recorded specific need")
        verbose_name_plural = _("recorded specific needs")
        constraints = [
            models.UniqueConstraint(fields=["person", "need"], name="person_need_once"),
        ]
        indexes = [models.Index(fields=["need", "person"], name="need_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.need_id}"


class DuplicateDecision(models.TextChoices):
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class DuplicateReview(models.Model):
    """An officer's decision that a new registration is not the likely match shown to them."""

    person = models.ForeignKey(
        DisplacedPerson,
        on_delete=models.CASCADE,
        related_name="duplicate_reviews",
        verbose_name=_("person"),
    )
    candidate = models.ForeignKey(
        DisplacedPerson,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("possible match"),
    )
    score = models.PositiveSmallIntegerField(_("match score"))
    decision = models.CharField(_("decision"), max_length=20, choices=DuplicateDecision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("duplicate review")
        verbose_name_plural = _("duplicate reviews")
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="duplicate_review_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} vs {self.candidate_id}: {self.decision}"
