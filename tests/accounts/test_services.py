import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import ApiToken, Sector
from accounts.services import (
    EMAIL_TAKEN,
    SECTOR_EXISTS,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    sector_create,
    user_sign_up,
    user_update_profile,
)
from accounts.tokens import email_verification_token
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_stores_lowercase_email_and_sends_verification_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_sign_up(email="New.Person@Example.org", password="a long passphrase", full_name="New Person")
    assert user.email == "new.person@example.org"
    assert not user.email_verified
    assert len(mail.outbox) == 1
    assert "/accounts/verify/" in mail.outbox[0].body


def test_sign_up_refuses_an_email_already_used_in_another_case():
    UserFactory(email="taken@example.org")
    with pytest.raises(ValidationError) as info:
        user_sign_up(email="TAKEN@example.org", password="a long passphrase", full_name="X")
    assert info.value.message_dict == {"email": [EMAIL_TAKEN]}


def test_verification_token_stops_working_once_used():
    user = UserFactory(email_verified=False)
    token = email_verification_token.make_token(user)
    assert email_verification_token.check_token(user, token)
    user.email_verified = True
    user.save()
    assert not email_verification_token.check_token(user, token)


def test_token_is_stored_only_as_a_hash_and_authenticates_until_revoked():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="script")
    assert raw.startswith("cr_") and len(raw) >= 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.hint, stored.name)
    assert stored.token_hash == ApiToken.hash(raw)
    assert api_token_authenticate(raw=raw) == user
    api_token_revoke(token=token)
    assert api_token_authenticate(raw=raw) is None


def test_token_of_an_inactive_user_does_not_authenticate():
    user = UserFactory()
    _, raw = api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    assert api_token_authenticate(raw=raw) is None


@pytest.mark.parametrize("raw", ["", "nope", "cr_" + "x" * 43, "cr_" + "y" * 300])
def test_unknown_tokens_do_not_authenticate(raw):
    assert api_token_authenticate(raw=raw) is None


def test_tokens_are_unique_per_creation():
    user = UserFactory()
    raws = {api_token_create(user=user, name=f"t{i}")[1] for i in range(20)}
    assert len(raws) == 20


def test_profile_update_refuses_fields_outside_the_profile():
    user = UserFactory()
    with pytest.raises(ValidationError) as info:
        user_update_profile(user=user, is_staff=True)
    assert "is_staff" in info.value.message_dict
    user.refresh_from_db()
    assert not user.is_staff


def test_profile_update_validates_and_saves():
    user = UserFactory()
    community = Sector.objects.get(slug="community-services")
    user_update_profile(user=user, full_name="Renamed Person", sector=community)
    user.refresh_from_db()
    assert (user.full_name, user.sector) == ("Renamed Person", community)
    with pytest.raises(ValidationError) as info:
        user_update_profile(user=user, full_name="")
    assert "full_name" in info.value.message_dict


def test_sector_create_extends_the_list_and_refuses_duplicates():
    sector = sector_create(name="Justice")
    assert sector.slug == "justice"
    with pytest.raises(ValidationError) as info:
        sector_create(name="justice")
    assert info.value.message_dict == {"name": [SECTOR_EXISTS.format(name="justice")]}


def test_first_migration_seeds_the_four_sectors():
    assert list(Sector.objects.values_list("slug", flat=True)) == [
        "medical",
        "education-and-care",
        "community-services",
        "other",
    ]
