"""A partnership's service directory, shaped like Open Referral HSDS 3.0, and its referral pathways.

HSDS records (organisations, services, locations, service-at-location, addresses, phones, contacts,
schedules, languages, accessibility, service areas, cost options, attributes, taxonomies and terms)
keep HSDS's field names and UUID ids, so a record exchanged as HSDS JSON keeps its identity. As in
HSDS's tables, one phone (contact, schedule, language) row may belong to several records at once: a
service, a location, a contact ... each through its own nullable key.

Our extensions: who can refer, capacity, verification and review dates and flags on the service;
catchments typed as postcodes or councils on service areas; and pathways — directed edges from a
source (a service, or a referrer role) to a target service, with a revision history. There are no
client records: the directory maps pathways, it does not track referrals.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Partnership
from core.urls import reverse_one
from events.models import Event

from . import vocabulary

DANGER_NUMBER = "000"
DANGER_PROMPT = (
    "If a child or anyone else is in immediate danger, call 000 now (police, ambulance, fire). "
    "Then refer: a report or referral does not replace an emergency call."
)


class Directory(models.Model):
    """A partnership's directory: its organisations, services, locations and pathways."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="directory")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(
        "public", default=True, help_text="Anyone can read it (pages and the HSDS API). Off: only its coordinators."
    )
    is_demo = models.BooleanField(
        "demonstration data", default=False, help_text="The records are fictional; every page says so."
    )
    review_interval_days = models.PositiveIntegerField(
        default=365, help_text="A service or pathway is due for review this long after it was last verified."
    )
    danger_number = models.CharField(
        "emergency number",
        max_length=20,
        default=DANGER_NUMBER,
        help_text="The number to call when someone is in immediate danger (000 in Australia).",
    )
    danger_prompt = models.TextField(
        "immediate-danger prompt",
        default=DANGER_PROMPT,
        help_text="Opens every answer about safety (family violence, child safety, urgent requests).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "directories"

    def __str__(self) -> str:
        return self.name


# --- Taxonomies (shared by every directory) -------------------------------------------------------


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(
        max_length=50, unique=True, null=True, blank=True, help_text="Set on the directory's own vocabularies."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.CharField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, null=True, blank=True, on_delete=models.SET_NULL, related_name="terms")
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent_id = models.UUIDField(null=True, blank=True, help_text="HSDS parent_id (it may name a term kept elsewhere).")
    taxonomy_name = models.CharField("taxonomy (free text)", max_length=200, blank=True)
    language = models.CharField(max_length=20, blank=True)
    term_uri = models.CharField(max_length=500, blank=True)
    ordering = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["taxonomy__name", "ordering", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"], condition=~models.Q(code=""), name="taxonomy_term_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def taxonomy_key(self) -> str | None:
        return self.taxonomy.key if self.taxonomy_id else None

    @property
    def is_self_referral(self) -> bool:
        return self.code == vocabulary.PARENT_SELF and self.taxonomy_key == vocabulary.REFERRER_ROLES


# --- HSDS records ---------------------------------------------------------------------------------


class HsdsRecord(models.Model):
    """An HSDS record: a UUID id (the HSDS `id`), owned by one directory."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Organization(HsdsRecord):
    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(max_length=250)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.CharField(max_length=500, blank=True)
    tax_status = models.CharField(max_length=200, blank=True)
    year_incorporated = models.PositiveIntegerField(null=True, blank=True)
    legal_status = models.CharField(max_length=200, blank=True)
    logo = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=500, blank=True)
    parent_organization_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Service(HsdsRecord):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class Capacity(models.TextChoices):
        TAKING = "taking", "Taking referrals"
        WAITLIST = "waitlist", "Waitlist"
        CLOSED = "closed", "Closed to new referrals"
        UNKNOWN = "unknown", "Not known"

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="services")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    name = models.CharField(max_length=250)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    url = models.CharField("website", max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField("how to apply", blank=True)
    fees_description = models.TextField("cost", blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField("eligibility", blank=True)
    ineligibility_description = models.TextField("not eligible", blank=True)
    minimum_age_months = models.PositiveIntegerField("minimum age (months)", null=True, blank=True)
    maximum_age_months = models.PositiveIntegerField("maximum age (months)", null=True, blank=True)
    alert = models.TextField(blank=True)
    # Who can refer, and how referrals arrive.
    accepts_self_referral = models.BooleanField("families can refer themselves", default=False)
    accepts_any_professional = models.BooleanField("any professional can refer", default=False)
    access_point = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reached_through",
        help_text="Referrals go through this access point (e.g. The Orange Door).",
    )
    intake_point = models.TextField(blank=True, help_text="Where referrals arrive: an intake line, a form, an inbox.")
    capacity_status = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.TAKING)
    capacity_as_of = models.DateField(null=True, blank=True)
    # Flags that matter when choosing where to refer.
    is_acco = models.BooleanField("Aboriginal Community Controlled Organisation", default=False)
    is_culturally_safe = models.BooleanField("culturally safe", default=False)
    has_interpreter = models.BooleanField("interpreter available", default=False)
    is_bulk_billed = models.BooleanField("bulk-billed", default=False)
    is_ndis_early_childhood = models.BooleanField("NDIS early childhood", default=False)
    is_free = models.BooleanField("free", default=False)
    # Verification: HSDS assured_date / assurer_email, and who here verified it.
    assured_date = models.DateField("last verified", null=True, blank=True)
    assurer_email = models.EmailField("verified by (email)", blank=True)
    assured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due = models.DateField(null=True, blank=True)
    terms = models.ManyToManyField("TaxonomyTerm", through="Attribute", related_name="services", blank=True)
    last_modified = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["directory", "status", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age_months__isnull=True)
                | models.Q(maximum_age_months__isnull=True)
                | models.Q(minimum_age_months__lte=models.F("maximum_age_months")),
                name="service_age_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_one("directory-service", "service_id", self.pk)

    @property
    def is_listed(self) -> bool:
        """Shown in public lists: active, or temporarily closed (with a badge)."""
        return self.status in (self.Status.ACTIVE, self.Status.TEMPORARILY_CLOSED)

    @property
    def verification(self) -> str:
        return verification_state(self.assured_date, self.review_due)

    def _attribute_terms(self, link_type: str) -> list["TaxonomyTerm"]:
        """Terms linked with `link_type` (from the prefetched attributes when present)."""
        return [a.taxonomy_term for a in self.attributes.all() if a.link_type == link_type]

    @property
    def needs(self) -> list["TaxonomyTerm"]:
        return self._attribute_terms(vocabulary.LINK_NEED)

    @property
    def sectors(self) -> list["TaxonomyTerm"]:
        return self._attribute_terms(vocabulary.LINK_SECTOR)

    @property
    def age_groups(self) -> list["TaxonomyTerm"]:
        return self._attribute_terms(vocabulary.LINK_AGE_GROUP)

    @property
    def referrer_roles(self) -> list["TaxonomyTerm"]:
        return self._attribute_terms(vocabulary.LINK_REFERRER)

    @property
    def practitioner_roles(self) -> list["TaxonomyTerm"]:
        return self._attribute_terms(vocabulary.LINK_PRACTITIONER)

    @property
    def flag_labels(self) -> list[str]:
        return [self._meta.get_field(name).verbose_name for name in FLAG_DISPLAY if getattr(self, name)]


FLAG_DISPLAY = [
    "is_acco",
    "is_culturally_safe",
    "has_interpreter",
    "is_bulk_billed",
    "is_ndis_early_childhood",
    "is_free",
]


def verification_state(verified: date | None, review_due: date | None) -> str:
    """current, overdue (review due has passed) or unverified."""
    if review_due is not None and review_due < timezone.localdate():
        return "overdue"
    if verified is None:
        return "unverified"
    return "current"


class Attribute(HsdsRecord):
    """HSDS attribute: a taxonomy term linked to a service (`link_type` says what it describes)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes")
    link_type = models.CharField(max_length=50, blank=True)
    link_entity = models.CharField(max_length=50, default="service", help_text="HSDS: the table link_id is in.")
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["taxonomy_term__ordering", "taxonomy_term__name", "link_type", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "taxonomy_term", "link_type"], name="attribute_unique_service_term_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} — {self.link_type}: {self.taxonomy_term}"


class Location(HsdsRecord):
    class Type(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="locations")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    location_type = models.CharField(max_length=10, choices=Type.choices, default=Type.PHYSICAL)
    url = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=250, blank=True)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.get_location_type_display()


class ServiceAtLocation(HsdsRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "service at location"
        verbose_name_plural = "services at locations"
        ordering = ["location__name", "id"]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class Address(HsdsRecord):
    class Type(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=250)
    address_2 = models.CharField(max_length=250, blank=True)
    city = models.CharField("suburb or town", max_length=150)
    region = models.CharField(max_length=150, blank=True)
    state_province = models.CharField("state", max_length=100)
    postal_code = models.CharField("postcode", max_length=20)
    country = models.CharField(max_length=50, default="AU")
    address_type = models.CharField(max_length=10, choices=Type.choices, default=Type.PHYSICAL)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["address_1", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.city, f"{self.state_province} {self.postal_code}") if p)


class Contact(HsdsRecord):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.title or str(self.pk)


class Phone(HsdsRecord):
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones"
    )
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones"
    )
    number = models.CharField(max_length=100)
    extension = models.PositiveBigIntegerField(null=True, blank=True)
    type = models.CharField(max_length=20, blank=True, help_text="voice, fax, text, cell, video, pager, textphone")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return self.number


class Schedule(HsdsRecord):
    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        MONTHLY = "MONTHLY", "Monthly"

    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.FloatField(null=True, blank=True, help_text="UTC offset in hours.")
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, choices=Freq.choices, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=100, blank=True)
    byweekno = models.CharField(max_length=100, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    byyearday = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    opens_at = models.CharField(max_length=20, blank=True)
    closes_at = models.CharField(max_length=20, blank=True)
    schedule_link = models.CharField(max_length=500, blank=True)
    attending_type = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["valid_from", "opens_at", "id"]

    def __str__(self) -> str:
        return self.description or f"{self.freq} {self.byday} {self.opens_at}–{self.closes_at}".strip()


class Language(HsdsRecord):
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="languages")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="languages")
    phone = models.ForeignKey(Phone, null=True, blank=True, on_delete=models.SET_NULL, related_name="languages")
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.code


class Accessibility(HsdsRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "accessibility"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:80]


class ServiceArea(HsdsRecord):
    """HSDS service area; `area_type` and `code` make it a catchment we can check."""

    class AreaType(models.TextChoices):
        POSTCODE = "postcode", "Postcode"
        LGA = "lga", "Local government area"
        OTHER = "other", "Other (described in words)"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.CharField(max_length=500, blank=True)
    area_type = models.CharField(max_length=10, choices=AreaType.choices, default=AreaType.OTHER)
    code = models.CharField(max_length=100, blank=True, help_text="The postcode, or the council's name.")

    class Meta:
        ordering = ["area_type", "code", "name", "id"]
        indexes = [models.Index(fields=["service", "area_type", "code"], name="service_area_catchment")]

    def __str__(self) -> str:
        return self.name


class CostOption(HsdsRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.TextField(blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(blank=True)

    class Meta:
        ordering = ["valid_from", "id"]

    def __str__(self) -> str:
        return self.option or f"{self.amount} {self.currency}"


# --- Pathways (our extension) ---------------------------------------------------------------------


class Pathway(models.Model):
    """A directed edge: from a source (a service, or a referrer role) to a target service, for needs."""

    class Method(models.TextChoices):
        ONLINE_FORM = "online_form", "Online form"
        E_REFERRAL = "e_referral", "E-referral (secure messaging)"
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        WARM_HANDOVER = "warm_handover", "Warm handover"
        LETTER = "letter", "Referral letter"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="pathways")
    source_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_pathways"
    )
    source_role = models.ForeignKey(
        TaxonomyTerm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A referrer role (GP, maternal and child health nurse …).",
    )
    target_service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="inbound_pathways")
    needs = models.ManyToManyField(TaxonomyTerm, related_name="pathways")
    min_age_months = models.PositiveIntegerField(
        "minimum age (months)", null=True, blank=True, help_text="Empty: the target service's."
    )
    max_age_months = models.PositiveIntegerField(
        "maximum age (months)", null=True, blank=True, help_text="Empty: the target service's."
    )
    catchment_postcodes = models.JSONField(
        default=list, blank=True, help_text="Empty (with no councils): the service's."
    )
    catchment_lgas = models.JSONField("catchment councils", default=list, blank=True)
    inclusion_criteria = models.TextField(blank=True)
    exclusion_criteria = models.TextField(blank=True)
    red_flags = models.TextField(blank=True)
    escalation = models.TextField("escalation route", blank=True)
    urgent_target_days = models.PositiveIntegerField("urgent: seen within (days)", null=True, blank=True)
    urgent_criteria = models.TextField("urgent when", blank=True)
    routine_target_days = models.PositiveIntegerField("routine: seen within (days)", null=True, blank=True)
    referrer_roles = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="+", help_text="Other roles that may refer this way."
    )
    any_professional = models.BooleanField("any professional may refer", default=False)
    self_referral = models.BooleanField("families may refer themselves", default=False)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.PHONE)
    form_url = models.URLField("form or portal link", max_length=500, blank=True)
    how_to_refer = models.TextField(blank=True, help_text="Phone, inbox or e-referral address; steps.")
    information_to_include = models.TextField(blank=True)
    pre_referral_workup = models.TextField("pre-referral work-up", blank=True)
    consent_basis = models.TextField(blank=True)
    cost = models.TextField(blank=True)
    typical_wait_days = models.PositiveIntegerField(null=True, blank=True)
    wait_as_of = models.DateField(null=True, blank=True)
    alternatives = models.ManyToManyField(
        Service, blank=True, related_name="alternative_in", help_text="When not eligible, or declined."
    )
    alternatives_note = models.TextField(blank=True)
    evidence_source = models.TextField(blank=True, help_text="Where these facts come from.")
    last_verified = models.DateField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="Retired pathways keep their history.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_service__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(source_service__isnull=False) & models.Q(source_role__isnull=True))
                | (models.Q(source_service__isnull=True) & models.Q(source_role__isnull=False)),
                name="pathway_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(min_age_months__isnull=True)
                | models.Q(max_age_months__isnull=True)
                | models.Q(min_age_months__lte=models.F("max_age_months")),
                name="pathway_age_range_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["directory", "is_active"]),
            models.Index(fields=["target_service", "is_active"], name="pathway_target_active"),
            models.Index(fields=["source_service", "is_active"], name="pathway_source_active"),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} → {self.target_service}"

    def get_absolute_url(self) -> str:
        return reverse_one("directory-pathway", "pathway_id", self.pk)

    @property
    def source_label(self) -> str:
        return str(self.source_service or self.source_role or "?")

    @property
    def verification(self) -> str:
        return verification_state(self.last_verified, self.review_due)

    @property
    def age_range(self) -> tuple[int | None, int | None]:
        """The pathway's age range in months, falling back to the target service's."""
        low = self.min_age_months if self.min_age_months is not None else self.target_service.minimum_age_months
        high = self.max_age_months if self.max_age_months is not None else self.target_service.maximum_age_months
        return low, high


class PathwayRevision(models.Model):
    """A snapshot of a pathway after each change, written by the services."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_fields = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pathway", "-number"]
        constraints = [models.UniqueConstraint(fields=["pathway", "number"], name="pathway_revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.pathway} — revision {self.number}"


class ChangeSuggestion(models.Model):
    """A practitioner's suggested correction to a service or pathway, for the coordinators to decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a coordinator"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="suggestions")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions")
    pathway = models.ForeignKey(Pathway, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions")
    field = models.CharField(max_length=50)
    proposed_value = models.TextField(blank=True)
    note = models.TextField("how you know", blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_suggestions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(service__isnull=False) & models.Q(pathway__isnull=True))
                | (models.Q(service__isnull=True) & models.Q(pathway__isnull=False)),
                name="suggestion_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.field}"

    @property
    def target(self):
        return self.service or self.pathway


class HsdsImport(models.Model):
    """An uploaded HSDS file: checked by a Celery task (a dry run: the preview), then applied by another
    on confirmation, with the coordinator's mappings for unknown service areas and other taxonomies' terms."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        PREVIEWED = "previewed", "Previewed"
        APPLYING = "applying", "Being imported"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"
        FAILED = "failed", "Could not be read"

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=250, blank=True)
    payload = models.JSONField(null=True, blank=True, help_text="Files imported before the upload was kept as bytes.")
    source = models.BinaryField(null=True, blank=True, editable=False, help_text="The uploaded file, as sent.")
    report = models.JSONField(default=dict, blank=True)
    mappings = models.JSONField(
        default=dict, blank=True, help_text="The coordinator's choices: {areas: {name: council}, terms: {id: need}}."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    total = models.PositiveIntegerField(default=0, help_text="Records in the file (for the progress bar).")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "HSDS import"

    def __str__(self) -> str:
        return f"{self.filename or 'HSDS file'} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.APPLYING)


# --- Sessions and the service system (was the servicemap app; tables kept, see migration 0003) ----------------
# The map and the insights are reads over services and pathways (graph.py, insights.py); only what a
# coordinator decides about a session is stored here.


class FeaturedService(models.Model):
    """A service presented at a session (its people are the presenters)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="featured_services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="featured_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "service__name"]
        constraints = [models.UniqueConstraint(fields=["event", "service"], name="featured_service_once")]

    def __str__(self) -> str:
        return f"{self.service} at {self.event}"


class FeaturedPathway(models.Model):
    """A pathway discussed at a session (printed as a card for the room)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="featured_pathways")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="featured_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "pathway__target_service__name"]
        constraints = [models.UniqueConstraint(fields=["event", "pathway"], name="featured_pathway_once")]

    def __str__(self) -> str:
        return f"{self.pathway} at {self.event}"


class NeedRelation(models.Model):
    """Two needs that imply each other in a directory (family violence ↔ child safety and wellbeing).

    "Where can I refer?" for one also offers the pathways for the other, saying so. Symmetric: one row
    per pair, read both ways. Coordinators edit them on the directory's page.
    """

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="need_relations")
    need = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    related_need = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["need__ordering", "related_need__ordering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["directory", "need", "related_need"], name="need_relation_unique_pair"),
            models.CheckConstraint(condition=~models.Q(need=models.F("related_need")), name="need_relation_two_needs"),
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.related_need}"


class NetworkInsights(models.Model):
    """A directory's network insights (insights.py) as last computed by the Celery task (insights_store.py), and
    whether a computation is due: a change to the directory sets `scheduled_for` once (a burst of edits is one
    computation, DEBOUNCE seconds after the first) and the task clears it when it starts."""

    directory = models.OneToOneField(Directory, on_delete=models.CASCADE, related_name="network_insights")
    data = models.JSONField(null=True, blank=True, help_text="Insights.as_dict(); null until first computed.")
    computed_at = models.DateTimeField(null=True, blank=True, help_text="When the computation read the directory.")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="A computation is due then.")
    computations = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "network insights"
        verbose_name_plural = "network insights"

    def __str__(self) -> str:
        return f"Insights of {self.directory}"


class WhereIndexEntry(models.Model):
    """One row per (need, pathway) for "where can I refer?": the filter and ranking columns of an active pathway
    into a listed service, copied from the pathway, its target service and the catchment that applies.

    Maintained by where_index.py (on every change to a pathway, its needs or referrer roles, a service or its
    catchment) and rebuilt by `manage.py where_index_rebuild`, so the question is one index scan on
    (directory, need) with no joins; Python then ranks only the rows that fit.
    """

    # (directory, need) and (pathway, need) are indexed below; the target service for a service's changes.
    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="+", db_index=False)
    need = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+", db_index=False)
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="where_entries", db_index=False)
    target_service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    source_service_id = models.UUIDField(null=True, blank=True)
    source_role_id = models.UUIDField(null=True, blank=True)
    # Who may refer: the source role and the other referrer roles (ids as strings), any professional, families.
    referrers = models.JSONField(default=list, blank=True)
    any_professional = models.BooleanField(default=False)
    self_referral = models.BooleanField(default=False)
    # Eligibility: the pathway's age range (or the service's), the catchment that applies (the pathway's own,
    # or else the service's postcodes and councils, as "p:3350" and "l:City of Ballarat"), status, capacity.
    low_age = models.PositiveIntegerField(null=True, blank=True)
    high_age = models.PositiveIntegerField(null=True, blank=True)
    catchment = models.JSONField(default=list, blank=True)
    has_catchment = models.BooleanField(default=False)
    target_status = models.CharField(max_length=20)
    target_capacity = models.CharField(max_length=10)
    target_is_acco = models.BooleanField(default=False)
    target_has_interpreter = models.BooleanField(default=False)
    target_is_free = models.BooleanField(default=False)
    target_is_bulk_billed = models.BooleanField(default=False)
    # Ranking.
    target_name = models.CharField(max_length=250)
    target_assured_date = models.DateField(null=True, blank=True)
    target_review_due = models.DateField(null=True, blank=True)
    urgent_target_days = models.PositiveIntegerField(null=True, blank=True)
    typical_wait_days = models.PositiveIntegerField(null=True, blank=True)
    last_verified = models.DateField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    need_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "where index entry"
        verbose_name_plural = "where index entries"
        constraints = [models.UniqueConstraint(fields=["pathway", "need"], name="where_index_one_per_need")]
        indexes = [models.Index(fields=["directory", "need", "target_status"], name="where_index_need")]

    def __str__(self) -> str:
        return f"{self.need} — {self.pathway_id}"
