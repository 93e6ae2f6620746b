"""Every model has an admin, and its pages open for staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
OURS = (
    "accounts",
    "events",
    "registrations",
    "referrals",
    "notifications",
    "certificates",
    "networking",
    "reporting",
    "servicemap",
)


def test_every_model_of_ours_is_in_the_admin():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in OURS and model not in admin.site._registry
    ]
    assert not missing


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label in OURS], ids=lambda m: m._meta.label
)
def test_admin_changelist_opens_for_staff(client, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
