from django import forms
from django.core.exceptions import ValidationError

from . import places, selectors, services, vocabulary
from .models import Directory, Organization, Pathway, Service

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def term_choices(key: str, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(t.code, t.name) for t in selectors.taxonomy_terms(key)]
    return ([("", blank)] if blank is not None else []) + choices


def load_term_choices(form: forms.Form) -> None:
    """Fill the term fields' choices (from the database, so not at import time)."""
    for field in form.fields.values():
        if isinstance(field, TermMultipleField):
            field.choices = term_choices(field.key)


def words(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", ",").split(",") if part.strip()]


class AgeFields(forms.Form):
    """A child's age as years and months (months 0–11), combined into months."""

    age_years = forms.IntegerField(label="Child's age: years", min_value=0, max_value=25, required=False)
    age_extra_months = forms.IntegerField(label="and months", min_value=0, max_value=11, required=False)

    def age_months(self) -> int | None:
        years, months = self.cleaned_data.get("age_years"), self.cleaned_data.get("age_extra_months")
        if years is None and months is None:
            return None
        return (years or 0) * 12 + (months or 0)


class DirectoryChoiceMixin:
    def _directory_field(self, directories):
        self.directories = {d.partnership.slug: d for d in directories}
        field = forms.ChoiceField(
            label="Partnership", choices=[(slug, d.partnership.name) for slug, d in self.directories.items()]
        )
        if len(self.directories) <= 1:
            field.widget = forms.HiddenInput()
            field.required = False
        return field

    def directory(self) -> Directory | None:
        slug = self.cleaned_data.get("partnership") or next(iter(self.directories), None)
        return self.directories.get(slug)


class DirectorySearchForm(DirectoryChoiceMixin, AgeFields):
    q = forms.CharField(label="Search", required=False, max_length=200)
    need = forms.ChoiceField(required=False)
    sector = forms.ChoiceField(required=False)
    place = forms.CharField(label="Postcode or suburb", required=False, max_length=100)

    field_order = ["q", "need", "sector", "age_years", "age_extra_months", "place", "partnership"]

    def __init__(self, *args, directories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = term_choices(vocabulary.NEEDS, "Any need")
        self.fields["sector"].choices = term_choices(vocabulary.SECTORS, "Any sector")
        self.fields["partnership"] = self._directory_field(directories)
        if len(self.directories) > 1:
            self.fields["partnership"].choices = [("", "All partnerships"), *self.fields["partnership"].choices]
            self.fields["partnership"].required = False

    def directory(self):
        slug = self.cleaned_data.get("partnership")
        return (
            self.directories.get(slug)
            if slug
            else (next(iter(self.directories.values()), None) if len(self.directories) == 1 else None)
        )


class WhereForm(DirectoryChoiceMixin, AgeFields):
    role = forms.ChoiceField(label="I am a")
    need = forms.ChoiceField(label="The child or family needs help with")
    place = forms.CharField(
        label="Family's postcode or suburb", required=False, max_length=100, help_text="For example 3350 or Sebastopol."
    )
    urgency = forms.ChoiceField(
        choices=[("routine", "Routine"), ("urgent", "Urgent")], initial="routine", widget=forms.RadioSelect
    )
    free = forms.BooleanField(label="Must be free (or bulk-billed)", required=False)
    acco = forms.BooleanField(label="Aboriginal Community Controlled Organisation", required=False)
    interpreter = forms.BooleanField(label="Needs an interpreter", required=False)

    field_order = ["partnership", "role", "need", "age_years", "age_extra_months", "place", "urgency"]

    def __init__(self, *args, directories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = term_choices(vocabulary.REFERRER_ROLES, "Choose your role")
        self.fields["need"].choices = term_choices(vocabulary.NEEDS, "Choose a need")
        self.fields["partnership"] = self._directory_field(directories)
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        if not self.directories:
            raise ValidationError("There is no directory to search yet.")
        return data

    def query(self) -> selectors.WhereQuery:
        data = self.cleaned_data
        return selectors.WhereQuery(
            directory=self.directory(),
            need=selectors.term_by_code(vocabulary.NEEDS, data["need"]),
            role=selectors.term_by_code(vocabulary.REFERRER_ROLES, data["role"]),
            age_months=self.age_months(),
            place=places.resolve_place(data["place"]),
            urgency=data["urgency"] or "routine",
            free=data["free"],
            acco=data["acco"],
            interpreter=data["interpreter"],
        )


class TermMultipleField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, key: str, **kwargs):
        self.key = key
        super().__init__(choices=[], required=False, **kwargs)

    def terms(self, codes):
        found = {t.code: t for t in selectors.taxonomy_terms(self.key).filter(code__in=codes)}
        return [found[c] for c in codes if c in found]


class ServiceForm(forms.Form):
    name = forms.CharField(max_length=250)
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False, empty_label="—")
    new_organization = forms.CharField(
        label="Or a new organisation", max_length=250, required=False, help_text="Creates it in this directory."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    status = forms.ChoiceField(choices=Service.Status.choices)
    eligibility_description = forms.CharField(
        label="Eligibility", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    ineligibility_description = forms.CharField(
        label="Not eligible", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minimum_age_months = forms.IntegerField(label="Minimum age (months)", min_value=0, max_value=300, required=False)
    maximum_age_months = forms.IntegerField(label="Maximum age (months)", min_value=0, max_value=300, required=False)
    needs = TermMultipleField(vocabulary.NEEDS)
    sectors = TermMultipleField(vocabulary.SECTORS)
    age_groups = TermMultipleField(vocabulary.AGE_GROUPS, label="Age groups")
    accepts_self_referral = forms.BooleanField(label="Families can refer themselves", required=False)
    accepts_any_professional = forms.BooleanField(label="Any professional can refer", required=False)
    referrer_roles = TermMultipleField(vocabulary.REFERRER_ROLES, label="Who can refer")
    practitioner_roles = TermMultipleField(
        vocabulary.REFERRER_ROLES,
        label="Roles of the service's own practitioners",
        help_text="A GP clinic's are GPs: two-step routes use them.",
    )
    access_point = forms.ModelChoiceField(
        queryset=Service.objects.none(), required=False, empty_label="—", help_text="Referrals go through this service."
    )
    intake_point = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    application_process = forms.CharField(
        label="How to apply", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    capacity_status = forms.ChoiceField(label="Capacity", choices=Service.Capacity.choices)
    fees_description = forms.CharField(label="Cost", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_free = forms.BooleanField(label="Free", required=False)
    is_bulk_billed = forms.BooleanField(label="Bulk-billed", required=False)
    is_acco = forms.BooleanField(label="Aboriginal Community Controlled Organisation", required=False)
    is_culturally_safe = forms.BooleanField(label="Culturally safe", required=False)
    has_interpreter = forms.BooleanField(label="Interpreter available", required=False)
    is_ndis_early_childhood = forms.BooleanField(label="NDIS early childhood", required=False)
    interpretation_services = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    languages = forms.CharField(label="Languages spoken", required=False, help_text="Separate with commas.")
    catchment_lgas = forms.MultipleChoiceField(
        label="Catchment councils",
        choices=[(lga, lga) for lga in places.LGAS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    catchment_postcodes = forms.CharField(
        label="Catchment postcodes", required=False, help_text="Separate with commas. Leave both empty: no catchment."
    )
    phone = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(label="Website", max_length=500, required=False, assume_scheme="https")
    address_1 = forms.CharField(label="Street address", max_length=250, required=False)
    city = forms.CharField(label="Suburb or town", max_length=150, required=False)
    postal_code = forms.CharField(label="Postcode", max_length=20, required=False)
    alert = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_due = forms.DateField(widget=DATE_INPUT, required=False, help_text="Empty: a year after it is verified.")
    verified = forms.BooleanField(label="I checked these details with the service today", required=False)

    def __init__(self, *args, directory: Directory, service: Service | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        load_term_choices(self)
        self.fields["organization"].queryset = Organization.objects.filter(directory=directory)
        access_points = Service.objects.filter(directory=directory)
        if service is not None:
            access_points = access_points.exclude(pk=service.pk)
        self.fields["access_point"].queryset = access_points

    @staticmethod
    def initial_for(service: Service) -> dict:
        initial = {name: getattr(service, name) for name in SERVICE_SCALARS}
        initial.update(
            organization=service.organization_id,
            access_point=service.access_point_id,
            needs=[t.code for t in service.needs],
            sectors=[t.code for t in service.sectors],
            age_groups=[t.code for t in service.age_groups],
            referrer_roles=[t.code for t in service.referrer_roles],
            practitioner_roles=[t.code for t in service.practitioner_roles],
            languages=", ".join(service.languages.values_list("name", flat=True)),
            catchment_lgas=[a.code for a in service.service_areas.all() if a.area_type == "lga"],
            catchment_postcodes=", ".join(a.code for a in service.service_areas.all() if a.area_type == "postcode"),
            phone=getattr(service.phones.order_by("number").first(), "number", ""),
        )
        sal = service.service_at_locations.select_related("location").first()
        address = sal.location.addresses.first() if sal else None
        if address is not None:
            initial.update(address_1=address.address_1, city=address.city, postal_code=address.postal_code)
        return initial

    def values(self, directory: Directory) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in SERVICE_SCALARS}
        organization = data["organization"]
        if not organization and data["new_organization"].strip():
            organization = services.organization_create(directory=directory, name=data["new_organization"])
        values.update(
            organization=organization,
            access_point=data["access_point"],
            catchment_postcodes=words(data["catchment_postcodes"]),
            catchment_lgas=data["catchment_lgas"],
            languages=words(data["languages"]),
            phone=data["phone"],
            address={
                "address_1": data["address_1"],
                "city": data["city"],
                "postal_code": data["postal_code"],
                "state_province": "VIC",
            },
            verified=data["verified"],
        )
        for name in ("needs", "sectors", "age_groups", "referrer_roles", "practitioner_roles"):
            values[name] = self.fields[name].terms(data[name])
        return values


SERVICE_SCALARS = (
    "name",
    "description",
    "status",
    "eligibility_description",
    "ineligibility_description",
    "minimum_age_months",
    "maximum_age_months",
    "accepts_self_referral",
    "accepts_any_professional",
    "intake_point",
    "application_process",
    "capacity_status",
    "fees_description",
    "is_free",
    "is_bulk_billed",
    "is_acco",
    "is_culturally_safe",
    "has_interpreter",
    "is_ndis_early_childhood",
    "interpretation_services",
    "email",
    "url",
    "alert",
    "review_due",
)

PATHWAY_SCALARS = (
    "min_age_months",
    "max_age_months",
    "inclusion_criteria",
    "exclusion_criteria",
    "red_flags",
    "escalation",
    "urgent_target_days",
    "urgent_criteria",
    "routine_target_days",
    "any_professional",
    "self_referral",
    "method",
    "form_url",
    "how_to_refer",
    "information_to_include",
    "pre_referral_workup",
    "consent_basis",
    "cost",
    "typical_wait_days",
    "wait_as_of",
    "alternatives_note",
    "evidence_source",
    "review_due",
    "is_active",
)


def _text(label: str | None = None, rows: int = 2, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=False, **kwargs)


class PathwayForm(forms.Form):
    source_role = forms.ChoiceField(label="From a referrer role", required=False)
    source_service = forms.ModelChoiceField(
        label="Or from a service", queryset=Service.objects.none(), required=False, empty_label="—"
    )
    target_service = forms.ModelChoiceField(label="To the service", queryset=Service.objects.none(), empty_label=None)
    needs = TermMultipleField(vocabulary.NEEDS)
    min_age_months = forms.IntegerField(
        label="Minimum age (months)", min_value=0, max_value=300, required=False, help_text="Empty: the service's."
    )
    max_age_months = forms.IntegerField(label="Maximum age (months)", min_value=0, max_value=300, required=False)
    catchment_lgas = forms.MultipleChoiceField(
        label="Catchment councils",
        choices=[(lga, lga) for lga in places.LGAS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave councils and postcodes empty to use the service's catchment.",
    )
    catchment_postcodes = forms.CharField(
        label="Catchment postcodes", required=False, help_text="Separate with commas."
    )
    referrer_roles = TermMultipleField(vocabulary.REFERRER_ROLES, label="Other roles that may refer this way")
    any_professional = forms.BooleanField(label="Any professional may refer", required=False)
    self_referral = forms.BooleanField(label="Families may refer themselves", required=False)
    method = forms.ChoiceField(choices=Pathway.Method.choices)
    form_url = forms.URLField(label="Form or portal link", max_length=500, required=False, assume_scheme="https")
    how_to_refer = _text("How to refer", 3)
    information_to_include = _text("Information to include", 3)
    pre_referral_workup = _text("Pre-referral work-up")
    consent_basis = _text("Consent basis")
    inclusion_criteria = _text("Inclusion criteria")
    exclusion_criteria = _text("Exclusion criteria")
    red_flags = _text("Red flags")
    escalation = _text("Escalation route")
    urgent_target_days = forms.IntegerField(
        label="Urgent: seen within (days)", min_value=0, max_value=3650, required=False
    )
    urgent_criteria = _text("Urgent when")
    routine_target_days = forms.IntegerField(
        label="Routine: seen within (days)", min_value=0, max_value=3650, required=False
    )
    cost = _text("Cost")
    typical_wait_days = forms.IntegerField(label="Typical wait (days)", min_value=0, max_value=3650, required=False)
    wait_as_of = forms.DateField(label="Wait as of", widget=DATE_INPUT, required=False)
    alternatives = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Alternatives when not eligible or declined",
    )
    alternatives_note = _text("About the alternatives")
    evidence_source = _text("Evidence source", help_text="Where these facts come from.")
    review_due = forms.DateField(widget=DATE_INPUT, required=False, help_text="Empty: a year after it is verified.")
    is_active = forms.BooleanField(label="Active (untick to retire it)", required=False, initial=True)
    verified = forms.BooleanField(label="I checked this pathway with the service today", required=False)
    note = forms.CharField(label="What changed (for the history)", max_length=300, required=False)

    def __init__(self, *args, directory: Directory, **kwargs):
        super().__init__(*args, **kwargs)
        load_term_choices(self)
        self.fields["source_role"].choices = term_choices(vocabulary.REFERRER_ROLES, "—")
        in_directory = Service.objects.filter(directory=directory).order_by("name")
        for name in ("source_service", "target_service", "alternatives"):
            self.fields[name].queryset = in_directory

    @staticmethod
    def initial_for(pathway: Pathway) -> dict:
        initial = {name: getattr(pathway, name) for name in PATHWAY_SCALARS}
        initial.update(
            source_role=pathway.source_role.code if pathway.source_role_id else "",
            source_service=pathway.source_service_id,
            target_service=pathway.target_service_id,
            needs=[t.code for t in pathway.needs.all()],
            referrer_roles=[t.code for t in pathway.referrer_roles.all()],
            alternatives=[s.pk for s in pathway.alternatives.all()],
            catchment_lgas=pathway.catchment_lgas,
            catchment_postcodes=", ".join(pathway.catchment_postcodes),
        )
        return initial

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in PATHWAY_SCALARS}
        values.update(
            source_role=selectors.term_by_code(vocabulary.REFERRER_ROLES, data["source_role"])
            if data["source_role"]
            else None,
            source_service=data["source_service"],
            target_service=data["target_service"],
            catchment_lgas=data["catchment_lgas"],
            catchment_postcodes=words(data["catchment_postcodes"]),
            needs=self.fields["needs"].terms(data["needs"]),
            referrer_roles=self.fields["referrer_roles"].terms(data["referrer_roles"]),
            alternatives=list(data["alternatives"]),
            verified=data["verified"],
            note=data["note"],
        )
        return values


class SuggestionForm(forms.Form):
    field = forms.ChoiceField(label="What needs changing")
    proposed_value = forms.CharField(
        label="What it should say", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    note = forms.CharField(
        label="How do you know?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
        help_text="E.g. “I rang intake on Monday”. Coordinators check before they change it.",
    )

    def __init__(self, *args, fields: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = list(fields.items())


class DirectorySettingsForm(forms.ModelForm):
    class Meta:
        model = Directory
        fields = ["name", "description", "is_public", "review_interval_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class HsdsUploadForm(forms.Form):
    file = forms.FileField(
        label="HSDS 3.0 JSON file",
        help_text="A service, an organisation, a service at a location, or a list page of them; up to 50 MB.",
    )

    def clean_file(self):
        from .hsds_import import FILE_TOO_LARGE, MAX_FILE_BYTES, NOT_JSON, NOT_UTF8

        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(FILE_TOO_LARGE.format(limit=MAX_FILE_BYTES // (1024 * 1024)))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(NOT_UTF8)
        if text.lstrip()[:1] not in ("{", "["):
            raise ValidationError(NOT_JSON.format(error="it does not start with { or ["))
        self.source = raw  # parsed and checked by a task, so the request does not wait
        return upload
