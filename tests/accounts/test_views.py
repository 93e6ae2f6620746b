"""The account pages, through Django's test client: sign-up, email verification, login, profile,
API tokens, password reset and the coordinator's pages."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.forms import NOT_VERIFIED
from accounts.models import ApiToken, User
from accounts.services import EMAIL_TAKEN, api_token_authenticate, api_token_create
from accounts.tokens import email_verification_token
from tests.accounts.factories import CoordinatorFactory, UserFactory, sector

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
NEW_PASSWORD = "Plenty-of-Unusual-Words-42"


def _path(url: str) -> str:
    return urlsplit(url).path


def _link(body: str, name: str) -> str:
    """The path of the one link in an email body that points at the URL named `name`."""
    prefix = reverse(name, kwargs={"uidb64": "UID", "token": "TOKEN"}).split("UID")[0]
    links = [_path(url) for url in re.findall(r"https?://\S+", body) if _path(url).startswith(prefix)]
    assert len(links) == 1, f"expected one {name} link in:\n{body}"
    return links[0]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def _signup_data(**overrides) -> dict:
    return {
        "full_name": "Nadia Newcomer",
        "email": "nadia@example.org",
        "organisation": "Ballarat Health",
        "sector": sector("medical").pk,
        "role_title": "Nurse",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


# --- Sign-up and email verification ----------------------------------------------------------------
def test_signup_shows_the_error_when_passwords_do_not_match(client, mailoutbox):
    response = client.post(reverse("signup"), _signup_data(password2="Something-Else-Entirely-7"))
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["The two passwords do not match."]
    assert "The two passwords do not match." in response.content.decode()
    assert not User.objects.filter(email="nadia@example.org").exists()
    assert mailoutbox == []


def test_signup_shows_the_error_when_the_email_is_taken(client, practitioner, mailoutbox):
    response = client.post(reverse("signup"), _signup_data(email="PAT@example.org"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [EMAIL_TAKEN]
    assert EMAIL_TAKEN in response.content.decode()
    assert User.objects.filter(email__iexact="pat@example.org").count() == 1
    assert mailoutbox == []


def test_signup_sends_a_link_that_verifies_the_address_and_then_allows_login(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), _signup_data())
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    user = User.objects.get(email="nadia@example.org")
    assert not user.email_verified
    assert user.sector == sector("medical")

    # Not yet: the address is unconfirmed.
    refused = client.post(reverse("login"), {"username": "nadia@example.org", "password": NEW_PASSWORD})
    assert refused.status_code == 200
    assert NOT_VERIFIED in refused.content.decode()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nadia@example.org"]
    assert mail.subject == "Confirm your email for Crossroads"
    link = _link(mail.body, "verify-email")

    verified = client.get(link, follow=True)
    assert verified.redirect_chain == [(reverse("login"), 302)]
    assert "Thank you: your email address is confirmed. You can log in now." in _messages(verified)
    user.refresh_from_db()
    assert user.email_verified

    logged_in = client.post(reverse("login"), {"username": "Nadia@Example.org", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302
    assert logged_in["Location"] == reverse("home")
    assert client.get(reverse("profile")).status_code == 200


def test_login_of_an_unverified_account_says_to_confirm_the_email(client):
    UserFactory(email="unverified@example.org", email_verified=False)
    response = client.post(reverse("login"), {"username": "unverified@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert NOT_VERIFIED in response.content.decode()
    assert reverse("resend-verification") in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_does_not_mention_verification(client):
    UserFactory(email="unverified@example.org", email_verified=False)
    response = client.post(reverse("login"), {"username": "unverified@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert NOT_VERIFIED not in response.content.decode()


def _verify_url(user, token: str) -> str:
    return reverse("verify-email", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token})


def test_the_verify_link_fails_for_a_bad_token(client):
    user = UserFactory(email="unverified@example.org", email_verified=False)
    good = email_verification_token.make_token(user)
    other = UserFactory(email="someone@example.org", email_verified=False)
    bad_links = [
        _verify_url(user, "abc-123"),
        _verify_url(user, good[:-1] + ("0" if good[-1] != "0" else "1")),
        _verify_url(other, good),  # another person's link
        reverse("verify-email", kwargs={"uidb64": "bm9ib2R5", "token": good}),  # no such user
    ]
    for link in bad_links:
        response = client.get(link)
        assert response.status_code == 400, link
        assert "This link is not valid" in response.content.decode()
    user.refresh_from_db()
    other.refresh_from_db()
    assert not user.email_verified and not other.email_verified


def test_the_verify_link_cannot_be_reused(client):
    user = UserFactory(email="unverified@example.org", email_verified=False)
    token = email_verification_token.make_token(user)
    link = _verify_url(user, token)
    first = client.get(link, follow=True)
    assert _messages(first) == ["Thank you: your email address is confirmed. You can log in now."]
    user.refresh_from_db()
    assert user.email_verified

    again = client.get(link, follow=True)
    assert again.redirect_chain == [(reverse("login"), 302)]
    assert _messages(again) == ["Your email address is already confirmed. Please log in."]
    # The token itself is spent: it hashes the verified flag, which has changed.
    assert not email_verification_token.check_token(user, token)


def test_a_verify_link_stops_working_when_the_address_changes(client):
    user = UserFactory(email="unverified@example.org", email_verified=False)
    link = _verify_url(user, email_verification_token.make_token(user))
    user.email = "changed@example.org"
    user.save()
    assert client.get(link).status_code == 400


def test_resend_verification_answers_the_same_whether_or_not_the_address_exists(client, mailoutbox):
    UserFactory(email="unverified@example.org", email_verified=False)
    UserFactory(email="verified@example.org", email_verified=True)
    url = reverse("resend-verification")

    answers = {}
    for email in ("unverified@example.org", "verified@example.org", "nobody@example.org"):
        response = client.post(url, {"email": email})
        assert response.status_code == 200
        answers[email] = response.content.decode().replace(email, "<EMAIL>")
    assert len(set(answers.values())) == 1, "the answer tells whether an account exists"

    assert [mail.to for mail in mailoutbox] == [["unverified@example.org"]]
    assert client.get(_link(mailoutbox[0].body, "verify-email")).status_code == 302
    assert User.objects.get(email="unverified@example.org").email_verified


# --- Profile -------------------------------------------------------------------------------------------
def test_profile_edit_saves(client, practitioner):
    client.force_login(practitioner)
    data = {
        "full_name": "Patricia Practitioner",
        "organisation": "Central Highlands Legal",
        "sector": sector("community-services").pk,
        "role_title": "Lawyer",
    }
    response = client.post(reverse("profile"), data, follow=True)
    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert "Your details are saved." in _messages(response)
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Patricia Practitioner"
    assert practitioner.organisation == "Central Highlands Legal"
    assert practitioner.sector == sector("community-services")
    assert practitioner.role_title == "Lawyer"
    assert practitioner.email == "pat@example.org"


def test_profile_edit_shows_errors_and_keeps_the_old_details(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("profile"), {"full_name": "", "organisation": "X"})
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat Practitioner"


def test_profile_cannot_change_the_email(client, practitioner):
    client.force_login(practitioner)
    data = {"full_name": "Pat", "organisation": "", "sector": "", "role_title": "", "email": "evil@example.org"}
    assert client.post(reverse("profile"), data).status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.email == "pat@example.org"


# --- API tokens ----------------------------------------------------------------------------------------
SECRET = re.compile(r'value="(cr_[^"]+)"')


def test_tokens_page_creates_a_token_and_shows_its_secret_once(client, practitioner):
    client.force_login(practitioner)
    created = client.post(reverse("tokens"), {"name": "reporting script"})
    assert created.status_code == 200
    secrets = SECRET.findall(created.content.decode())
    assert len(secrets) == 1
    secret = secrets[0]
    assert "Copy it now: it will not be shown again." in created.content.decode()

    token = ApiToken.objects.get(user=practitioner)
    assert token.name == "reporting script"
    assert token.token_hash == ApiToken.hash(secret) and secret not in (token.token_hash, token.hint)
    assert secret.startswith(token.hint)
    assert api_token_authenticate(raw=secret) == practitioner

    again = client.get(reverse("tokens"))
    assert "reporting script" in again.content.decode()
    assert secret not in again.content.decode()
    assert SECRET.findall(again.content.decode()) == []


def test_tokens_page_wants_a_name(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("tokens"), {"name": ""})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_tokens_page_lists_only_ones_own_tokens(client, practitioner, other_practitioner):
    api_token_create(user=practitioner, name="mine")
    api_token_create(user=other_practitioner, name="theirs")
    client.force_login(practitioner)
    response = client.get(reverse("tokens"))
    assert [token.name for token in response.context["tokens"]] == ["mine"]
    assert "theirs" not in response.content.decode()


def test_revoking_a_token(client, practitioner):
    token, secret = api_token_create(user=practitioner, name="laptop")
    client.force_login(practitioner)
    response = client.post(reverse("token-revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(reverse("tokens"), 302)]
    assert "The token “laptop” is revoked." in _messages(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw=secret) is None


def test_revoking_needs_a_post(client, practitioner):
    token, _ = api_token_create(user=practitioner, name="laptop")
    client.force_login(practitioner)
    assert client.get(reverse("token-revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_cannot_revoke_another_persons_token(client, practitioner, other_practitioner):
    theirs, secret = api_token_create(user=other_practitioner, name="theirs")
    client.force_login(practitioner)
    response = client.post(reverse("token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert api_token_authenticate(raw=secret) == other_practitioner


# --- Coordinators' pages -------------------------------------------------------------------------------
def test_manage_lists_only_the_partnerships_one_coordinates(client, coordinator, partnership, other_partnership):
    client.force_login(coordinator)
    response = client.get(reverse("manage"))
    assert response.status_code == 200
    assert list(response.context["partnerships"]) == [partnership]
    content = response.content.decode()
    assert partnership.name in content
    assert reverse("manage-partnership", args=[partnership.slug]) in content
    assert other_partnership.name not in content


def test_manage_lists_every_partnership_one_coordinates(client, partnership, other_partnership):
    both = CoordinatorFactory(email="both@example.org", partnership=partnership)
    CoordinatorFactory(email="both@example.org", partnership=other_partnership)
    client.force_login(both)
    response = client.get(reverse("manage"))
    assert set(response.context["partnerships"]) == {partnership, other_partnership}


def test_manage_for_a_practitioner_lists_nothing(client, practitioner, partnership):
    client.force_login(practitioner)
    response = client.get(reverse("manage"))
    assert response.status_code == 200
    assert list(response.context["partnerships"]) == []
    assert "You do not coordinate a partnership." in response.content.decode()
    assert partnership.name not in response.content.decode()


def test_manage_needs_login(client):
    response = client.get(reverse("manage"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('manage')}"


def test_manage_partnership_is_for_its_coordinators(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.get(reverse("manage-partnership", args=[partnership.slug]))
    assert response.status_code == 200
    assert response.context["partnership"] == partnership
    assert [person.email for person in response.context["coordinators"]] == ["coord@example.org"]


@pytest.mark.parametrize("who", ["other_coordinator", "practitioner"])
def test_manage_partnership_is_404_for_anyone_else(client, who, request, coordinator, partnership):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("manage-partnership", args=[partnership.slug]))
    assert response.status_code == 404
    assert coordinator.email not in response.content.decode()


def test_manage_partnership_is_404_for_an_unknown_slug(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("manage-partnership", args=["nowhere"])).status_code == 404


# --- Password reset ------------------------------------------------------------------------------------
def test_password_reset_sends_an_email_with_a_working_link(client, practitioner, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "pat@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["pat@example.org"]

    link = _link(mailoutbox[0].body, "password_reset_confirm")
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")

    practitioner.refresh_from_db()
    assert practitioner.check_password(NEW_PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False  # the link is spent


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_login_takes_a_coordinator_to_their_coordinator_area_and_others_home(
    client, partnership, coordinator, other_partnership, practitioner
):
    def log_in(user, query=""):
        client.logout()
        return client.post(reverse("login") + query, {"username": user.email, "password": PASSWORD})

    assert log_in(coordinator)["Location"] == reverse("manage-partnership", args=[partnership.slug])
    assert log_in(practitioner)["Location"] == reverse("home")
    # ?next= still wins; someone coordinating two partnerships gets the list of both.
    assert log_in(coordinator, "?next=/events/")["Location"] == "/events/"
    both = CoordinatorFactory(partnership=partnership, email="both@example.org")
    from accounts.models import Membership

    Membership.objects.create(user=both, partnership=other_partnership, role="coordinator")
    assert log_in(both)["Location"] == reverse("manage")


def test_api_tokens_live_under_account_settings_not_in_the_main_menu(client, practitioner):
    client.force_login(practitioner)
    home = client.get(reverse("home")).content.decode()
    menu = home.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert reverse("tokens") not in menu and "API tokens" not in menu
    profile = client.get(reverse("profile")).content.decode()
    settings_section = profile.split('id="settings-heading"')[1]
    assert f'<a href="{reverse("tokens")}">API tokens</a>' in settings_section
    assert client.get(reverse("tokens")).status_code == 200
