"""Log-in throttling (django-axes): per account and per address, 429 with a clear message, reset on success."""

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
LIMIT = 5


def attempt(client, email, password, address="203.0.113.7", **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_for_one_account_lock_it_even_from_other_addresses(client, settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    UserFactory(email="pat@example.org")
    for i in range(LIMIT - 1):
        assert attempt(client, "pat@example.org", f"wrong-{i}", address=f"198.51.100.{i}").status_code == 200
    # The failure that reaches the limit already answers with the lock-out.
    assert attempt(client, "pat@example.org", "wrong", address="198.51.100.50").status_code == 429
    # The right password, from yet another address, with the address typed in capitals: still refused.
    refused = attempt(client, " PAT@example.org", PASSWORD, address="192.0.2.99")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60
    html = refused.content.decode()
    assert "Too many failed log-in attempts" in html and "try again in 15 minutes" in html
    assert not logged_in(client)


def test_wrong_passwords_from_one_address_lock_that_address(client):
    UserFactory(email="pat@example.org")
    for i in range(LIMIT):
        attempt(client, f"guess{i}@example.org", "wrong")
    assert attempt(client, "pat@example.org", PASSWORD).status_code == 429
    assert not logged_in(client)
    # Another address is not affected.
    assert attempt(client, "pat@example.org", PASSWORD, address="192.0.2.1").status_code == 302
    assert logged_in(client)


def test_a_successful_log_in_resets_the_count(client):
    UserFactory(email="pat@example.org")
    for _ in range(LIMIT - 1):
        attempt(client, "pat@example.org", "wrong")
    assert attempt(client, "pat@example.org", PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert attempt(client, "pat@example.org", "wrong").status_code == 200
    assert attempt(client, "pat@example.org", PASSWORD).status_code == 302


def test_a_json_client_gets_429_in_the_api_error_shape(client):
    UserFactory(email="pat@example.org")
    for _ in range(LIMIT):
        attempt(client, "pat@example.org", "wrong")
    response = attempt(client, "pat@example.org", PASSWORD, Accept="application/json")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    body = response.json()
    assert body["detail"].startswith("Too many failed log-in attempts")
    assert body["errors"]["__all__"]


def test_the_admin_log_in_shares_the_count(client):
    UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "admin@example.org", "password": "wrong"}, REMOTE_ADDR="192.0.2.5")
    response = client.post(
        "/admin/login/", {"username": "admin@example.org", "password": PASSWORD}, REMOTE_ADDR="192.0.2.6"
    )
    assert response.status_code == 429
    assert not logged_in(client)
