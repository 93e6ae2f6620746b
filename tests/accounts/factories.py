import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Partnership, Sector, User


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


def sector(slug: str) -> Sector:
    """One of the four sectors the first migration creates."""
    return Sector.objects.get(slug=slug)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_AU")
    organisation = factory.Faker("company", locale="en_AU")
    role_title = factory.Faker("job", locale="en_AU")
    sector = factory.LazyFunction(lambda: Sector.objects.get(slug="medical"))
    email_verified = True
    password = factory.django.Password("correct horse battery staple")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    locality = "Ballarat"
    time_zone = "Australia/Melbourne"
    contact_email = factory.LazyAttribute(lambda o: f"hello@{o.slug}.example.org")


class CoordinatorFactory(UserFactory):
    """A person who coordinates the partnership passed as `partnership=`."""

    @factory.post_generation
    def partnership(obj, create, extracted, **kwargs):
        if extracted is not None:
            Membership.objects.get_or_create(user=obj, partnership=extracted, defaults={"role": "coordinator"})
            obj.__dict__.pop("coordinated_partnership_ids", None)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Membership.Role.COORDINATOR
