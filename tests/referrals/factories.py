from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from referrals import vocabulary
from referrals.models import Attribute, Directory, Organization, Pathway, Service, ServiceArea, TaxonomyTerm
from tests.accounts.factories import PartnershipFactory


def term(key: str, code: str) -> TaxonomyTerm:
    """One of the terms the data migration creates (needs, sectors, referrer-roles, age-groups, flags)."""
    return TaxonomyTerm.objects.select_related("taxonomy").get(taxonomy__key=key, code=code)


def need(code: str) -> TaxonomyTerm:
    return term(vocabulary.NEEDS, code)


def role(code: str) -> TaxonomyTerm:
    return term(vocabulary.REFERRER_ROLES, code)


class DirectoryFactory(DjangoModelFactory):
    class Meta:
        model = Directory
        django_get_or_create = ("partnership",)

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.LazyAttribute(lambda o: f"{o.partnership.name} directory")
    is_public = True


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    directory = factory.SubFactory(DirectoryFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    description = "A fictional organisation."


class ServiceFactory(DjangoModelFactory):
    """A service; `needs=[codes]`, `practitioner_roles=[codes]`, `lgas=[...]`, `postcodes=[...]` add attributes
    and catchment areas."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    directory = factory.SubFactory(DirectoryFactory)
    organization = factory.SubFactory(OrganizationFactory, directory=factory.SelfAttribute("..directory"))
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "A fictional service."
    status = Service.Status.ACTIVE
    capacity_status = Service.Capacity.TAKING
    assured_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    review_due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))

    @factory.post_generation
    def needs(obj, create, extracted, **kwargs):
        for code in extracted or []:
            Attribute.objects.create(
                directory=obj.directory, service=obj, taxonomy_term=need(code), link_type=vocabulary.LINK_NEED
            )

    @factory.post_generation
    def practitioner_roles(obj, create, extracted, **kwargs):
        for code in extracted or []:
            Attribute.objects.create(
                directory=obj.directory, service=obj, taxonomy_term=role(code), link_type=vocabulary.LINK_PRACTITIONER
            )

    @factory.post_generation
    def lgas(obj, create, extracted, **kwargs):
        for lga in extracted or []:
            ServiceArea.objects.create(directory=obj.directory, service=obj, name=lga, area_type="lga", code=lga)

    @factory.post_generation
    def postcodes(obj, create, extracted, **kwargs):
        for code in extracted or []:
            ServiceArea.objects.create(
                directory=obj.directory, service=obj, name=f"Postcode {code}", area_type="postcode", code=code
            )


class PathwayFactory(DjangoModelFactory):
    """A pathway from a role (`source_role=role("gp")`) or a service, for `needs=[codes]` (default speech)."""

    class Meta:
        model = Pathway
        skip_postgeneration_save = True

    directory = factory.SubFactory(DirectoryFactory)
    source_role = factory.LazyFunction(lambda: role("mch-nurse"))
    target_service = factory.SubFactory(ServiceFactory, directory=factory.SelfAttribute("..directory"))
    method = Pathway.Method.PHONE
    how_to_refer = "Call intake."
    information_to_include = "The concern."
    typical_wait_days = 30
    last_verified = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    review_due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))

    @factory.post_generation
    def needs(obj, create, extracted, **kwargs):
        obj.needs.set([need(code) for code in (extracted if extracted is not None else ["speech-language"])])

    @factory.post_generation
    def referrer_roles(obj, create, extracted, **kwargs):
        if extracted:
            obj.referrer_roles.set([role(code) for code in extracted])

    @factory.post_generation
    def alternatives(obj, create, extracted, **kwargs):
        if extracted:
            obj.alternatives.set(extracted)
