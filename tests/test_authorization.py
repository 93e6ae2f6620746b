"""The authorization walk: every URL the project serves, requested by everyone who might call it.

The walk visits every pattern of `django.urls.get_resolver()` (the pages) and every operation of the
OpenAPI schema of `config.api.api` (one ninja URL pattern serves several methods, so the API is walked
by path *and* method). Each is requested by five callers:

    anonymous, practitioner, other_coordinator (of another partnership), staff, coordinator

where `coordinator` coordinates the sample partnership and owns the sample objects (tokens, …).

Two tables below drive the walk, and both must name every route:

* `PAGES` / `API`: who may use the route (`Rule(PUBLIC | LOGIN | OWNER | COORDINATOR | PARTNERSHIP)`).
* `KWARG_SAMPLES` / `ROUTE_SAMPLES`: the value of each URL kwarg, built from the `world` fixture so
  that every object belongs to the sample partnership or to its coordinator.

A route missing from either table fails with "no sample/classification for <name>; add it to
tests/test_authorization.py": a new view or API operation cannot ship without deciding who may use it.

What is asserted, for every route, caller and method:

* never a 5xx;
* callers the rule allows: not 401/403/404, and a page does not send them to the login page;
* refused anonymous callers: pages redirect to /accounts/login/?next=<path> (or answer 401/403/404),
  the API answers 401;
* refused signed-in callers: 403 or 404, never 2xx/3xx. A 422 fails too: it means the request was
  validated before the permission check, so the walk never reached the decision. Give the operation a
  valid `body=` (or the `query=` it needs) in `API` so it does.

Unsafe API methods are sent with a Bearer token and the JSON body `{}` (or the rule's `body`): for the
allowed caller a 4xx validation answer is fine, the point is the authorization decision.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import api_token_create
from accounts.tokens import email_verification_token
from certificates.models import CertificateBatch
from certificates.services import certificate_issue
from events.services import series_create
from networking.services import plan_generate
from notifications.models import OutboxMessage
from notifications.services import feed_token_get_or_create
from registrations.services import registration_create, registration_update_details
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ADD_IT = "add it to tests/test_authorization.py"

# --- Who may use a route -------------------------------------------------------------------------
PUBLIC = "public"  # anyone, signed in or not
LOGIN = "login"  # any signed-in person; it shows or changes only their own data
OWNER = "owner"  # signed in, and only the owner of the objects in the URL (the sample coordinator)
COORDINATOR = "coordinator"  # a coordinator of any partnership, or staff
PARTNERSHIP = "partnership"  # only the coordinators of the partnership in the URL, and staff

CALLERS = ("anonymous", "practitioner", "other_coordinator", "staff", "coordinator")
ALLOWED = {
    PUBLIC: set(CALLERS),
    LOGIN: {"practitioner", "other_coordinator", "staff", "coordinator"},
    OWNER: {"coordinator"},
    COORDINATOR: {"other_coordinator", "staff", "coordinator"},
    PARTNERSHIP: {"staff", "coordinator"},
}


Sample = dict | Callable[[SimpleNamespace], dict]


@dataclass(frozen=True)
class Rule:
    access: str
    # Pages: the methods to send (a form page gets an empty POST too). API operations have one method.
    methods: tuple[str, ...] = ("GET",)
    # API only: the JSON body of an unsafe method (a dict, or a function of the `world` fixture). Give a
    # valid one when the operation validates the body before it decides who may call it, so the refused
    # callers reach the decision (403/404, not 422).
    body: Sample | None = None
    # The query string, when the route needs one to reach its decision (a dict, or a function of `world`).
    query: Sample | None = None
    # The route answers 404 to everyone by design.
    always_404: bool = False


def _sample(value: Sample | None, world) -> dict:
    if value is None:
        return {}
    return value(world) if callable(value) else value


FORM = ("GET", "POST")

# Pages, by URL name (namespaced: "api:openapi-json").
PAGES: dict[str, Rule] = {
    "home": Rule(PUBLIC),
    "signup": Rule(PUBLIC, FORM),
    "verify-email": Rule(PUBLIC),
    "resend-verification": Rule(PUBLIC, FORM),
    "login": Rule(PUBLIC, FORM),
    "logout": Rule(PUBLIC, ("POST",)),
    "password_change": Rule(LOGIN, FORM),
    "password_change_done": Rule(LOGIN),
    "password_reset": Rule(PUBLIC, FORM),
    "password_reset_done": Rule(PUBLIC),
    "password_reset_confirm": Rule(PUBLIC, FORM),
    "password_reset_complete": Rule(PUBLIC),
    "profile": Rule(LOGIN, FORM),
    "tokens": Rule(LOGIN, FORM),
    "token-revoke": Rule(OWNER, ("POST",)),
    "partnership-detail": Rule(PUBLIC),
    "manage": Rule(LOGIN),
    "manage-partnership": Rule(PARTNERSHIP),
    # events
    "events-upcoming": Rule(PUBLIC),
    "events-month": Rule(PUBLIC),
    "event-detail": Rule(PUBLIC),  # a published session; drafts are tested in tests/events
    "manage-events": Rule(PARTNERSHIP),
    "event-new": Rule(PARTNERSHIP, FORM),
    "event-edit": Rule(PARTNERSHIP, FORM),
    "event-publish": Rule(PARTNERSHIP, ("POST",)),
    "event-cancel": Rule(PARTNERSHIP, FORM),
    "series-new": Rule(PARTNERSHIP, FORM),
    "series-edit": Rule(PARTNERSHIP, FORM),
    "series-publish": Rule(PARTNERSHIP, ("POST",)),
    "manage-venues": Rule(PARTNERSHIP, FORM),
    # registrations
    "register": Rule(LOGIN, ("POST",)),
    # The attendee list is for the session's confirmed attendees and its coordinators: in the sample
    # world only the coordinator is registered, so it answers like a partnership-private page.
    "attendees": Rule(PARTNERSHIP),
    "registration-cancel": Rule(PARTNERSHIP, ("POST",)),  # the owner (the coordinator here) or coordinators
    "registration-details": Rule(OWNER, ("POST",)),
    "my-sessions": Rule(LOGIN),
    "my-data": Rule(LOGIN),
    "delete-account": Rule(LOGIN, FORM),  # an empty POST is a form error, never a deletion
    "roster": Rule(PARTNERSHIP),
    "roster-walk-in": Rule(PARTNERSHIP, ("POST",)),
    "roster-capacity": Rule(PARTNERSHIP, ("POST",)),
    "roster-finalise": Rule(PARTNERSHIP, FORM),
    "roster-attendance": Rule(PARTNERSHIP, ("POST",)),
    "roster-top": Rule(PARTNERSHIP, ("POST",)),
    "check-in-undo": Rule(PARTNERSHIP, ("POST",)),
    "check-in": Rule(PARTNERSHIP, FORM),
    # networking (tables and badges)
    "table-plan": Rule(PARTNERSHIP),
    "table-plan-generate": Rule(PARTNERSHIP, ("POST",)),
    "table-plan-regenerate": Rule(PARTNERSHIP, ("POST",)),
    "table-plan-move": Rule(PARTNERSHIP, ("POST",)),
    "table-plan-pin": Rule(PARTNERSHIP, ("POST",)),
    "table-plan-badges": Rule(PARTNERSHIP),
    "table-group-lock": Rule(PARTNERSHIP, ("POST",)),
    "table-group-edit": Rule(PARTNERSHIP, ("POST",)),
    "my-table": Rule(PARTNERSHIP),  # the session's confirmed registrants (only the coordinator here) and coordinators
    "networking-card": Rule(PARTNERSHIP),  # like "attendees"; the sample registration agreed to be listed
    # calendar feeds and messages (the feed token in the URL is the credential: anyone holding it may read)
    "partnership-feed": Rule(PUBLIC),
    "personal-feed": Rule(PUBLIC),
    "coordinator-feed": Rule(PUBLIC),
    "event-ics": Rule(PUBLIC),
    "calendar-settings": Rule(LOGIN),
    "calendar-reset": Rule(LOGIN, ("POST",)),
    "calendar-invites": Rule(LOGIN, ("POST",)),
    "cancel-place": Rule(PUBLIC, FORM),  # the signed link in the invitation is the credential
    "message-log": Rule(PARTNERSHIP),
    "message-retry": Rule(PARTNERSHIP, ("POST",)),
    # reports and feedback (the feedback link's token is the credential: whoever holds it may answer)
    "reports-dashboard": Rule(PARTNERSHIP),
    "reports-csv": Rule(PARTNERSHIP),
    "reports-pdf": Rule(PARTNERSHIP),
    "reports-feedback": Rule(PARTNERSHIP),
    "feedback-quote": Rule(PARTNERSHIP, ("POST",)),
    "feedback-answer": Rule(PUBLIC, FORM),  # an empty POST is a form error, never an answer
    # certificates (verification is public by design: the code on the paper is the key)
    "certificate-lookup": Rule(PUBLIC),
    "certificate-verify": Rule(PUBLIC),
    "certificate-verify-json": Rule(PUBLIC),
    "certificate-badge": Rule(PUBLIC),
    "my-certificate": Rule(OWNER),
    "cpd-statement": Rule(LOGIN),
    "event-certificates": Rule(PARTNERSHIP),
    "event-certificates-issue": Rule(PARTNERSHIP, ("POST",)),
    "event-certificates-zip": Rule(PARTNERSHIP),
    "event-certificates-pdf": Rule(PARTNERSHIP),
    "certificate-batch-progress": Rule(PARTNERSHIP),
    "registration-certificate": Rule(PARTNERSHIP, ("POST",)),
    "certificate-revoke": Rule(PARTNERSHIP, ("POST",)),
    # referrals (the directory is public; suggesting needs an account; curating is the partnership's)
    "directory": Rule(PUBLIC),
    "directory-where": Rule(PUBLIC),
    "directory-hsds-profile": Rule(PUBLIC),
    "directory-service": Rule(PUBLIC),
    "directory-service-suggest": Rule(LOGIN, FORM),
    "directory-pathway": Rule(PUBLIC),
    "directory-pathway-suggest": Rule(LOGIN, FORM),
    "directory-print": Rule(PUBLIC),
    "manage-directory": Rule(PARTNERSHIP, FORM),
    "service-new": Rule(PARTNERSHIP, FORM),
    "service-edit": Rule(PARTNERSHIP, FORM),
    "service-verify": Rule(PARTNERSHIP, ("POST",)),
    "pathway-new": Rule(PARTNERSHIP, FORM),
    "pathway-edit": Rule(PARTNERSHIP, FORM),
    "pathway-verify": Rule(PARTNERSHIP, ("POST",)),
    "directory-suggestions": Rule(PARTNERSHIP),
    "directory-need-relations": Rule(PARTNERSHIP, FORM),
    "directory-suggestion-decide": Rule(PARTNERSHIP, ("POST",)),
    "directory-import-upload": Rule(PARTNERSHIP, FORM),
    "directory-import": Rule(PARTNERSHIP, FORM),
    "directory-import-progress": Rule(PARTNERSHIP),
    # servicemap (the map is public with its directory; insights and sessions are the partnership's)
    "directory-map": Rule(PUBLIC),
    "directory-insights": Rule(PARTNERSHIP),
    "directory-insights-csv": Rule(PARTNERSHIP),
    "event-featured": Rule(PARTNERSHIP, FORM),
    "event-digest": Rule(PARTNERSHIP),
    "event-cards": Rule(PARTNERSHIP),
    # django-ninja's own views.
    "api:openapi-json": Rule(PUBLIC),
    "api:openapi-view": Rule(PUBLIC),
    "api:api-root": Rule(PUBLIC, always_404=True),  # ninja's placeholder that marks the API's root
}


def _event_body(world) -> dict:
    year = timezone.localdate().year + 1
    return {
        "partnership": world.partnership.slug,
        "title": "Walked session",
        "start": f"{year}-03-04T10:00:00",
        "end": f"{year}-03-04T12:00:00",
    }


def _series_body(world) -> dict:
    year = timezone.localdate().year + 1
    return {
        "partnership": world.partnership.slug,
        "rrule": "FREQ=MONTHLY;COUNT=2",
        "start_date": f"{year}-01-01",
        "start_time": "09:30",
    }


# API operations, by "METHOD /path" as in the OpenAPI schema.
API: dict[str, Rule] = {
    "GET /api/me": Rule(LOGIN),
    "PATCH /api/me": Rule(LOGIN),
    "GET /api/me/tokens": Rule(LOGIN),
    "POST /api/me/tokens": Rule(LOGIN),
    "DELETE /api/me/tokens/{token_id}": Rule(OWNER),
    "GET /api/sectors": Rule(PUBLIC),
    "POST /api/sectors": Rule(COORDINATOR, body={"name": "Walked sector"}),
    "GET /api/partnerships": Rule(PUBLIC),
    "GET /api/partnerships/{slug}": Rule(PUBLIC),
    "GET /api/partnerships/{slug}/coordinators": Rule(PARTNERSHIP),
    # events
    "GET /api/events": Rule(PUBLIC),
    "POST /api/events": Rule(PARTNERSHIP, body=_event_body),
    "GET /api/events/{event_id}": Rule(PUBLIC),
    "PATCH /api/events/{event_id}": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/publish": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/cancel": Rule(PARTNERSHIP, body={"reason": "The walk cancels it."}),
    "POST /api/series/preview": Rule(PARTNERSHIP, body=_series_body),
    "GET /api/series": Rule(PARTNERSHIP, query=lambda w: {"partnership": w.partnership.slug}),
    "POST /api/series": Rule(PARTNERSHIP, body=lambda w: {**_series_body(w), "title": "Walked series"}),
    "GET /api/series/{series_id}": Rule(PARTNERSHIP),
    "PATCH /api/series/{series_id}": Rule(PARTNERSHIP),
    "POST /api/series/{series_id}/publish": Rule(PARTNERSHIP),
    "GET /api/topics": Rule(PUBLIC),
    "GET /api/partnerships/{slug}/venues": Rule(PARTNERSHIP),
    "POST /api/partnerships/{slug}/venues": Rule(PARTNERSHIP, body={"name": "Walked venue"}),
    "PATCH /api/venues/{venue_id}": Rule(PARTNERSHIP, body={"parking_notes": "Behind the hall"}),
    # registrations
    "POST /api/events/{event_id}/registrations": Rule(LOGIN),
    "GET /api/registrations/{registration_id}": Rule(PARTNERSHIP),  # the owner (the coordinator) or coordinators
    "PATCH /api/registrations/{registration_id}": Rule(OWNER),
    "DELETE /api/registrations/{registration_id}": Rule(PARTNERSHIP),
    "GET /api/me/registrations": Rule(LOGIN),
    "GET /api/events/{event_id}/sector-mix": Rule(PUBLIC),
    "GET /api/events/{event_id}/attendees": Rule(PARTNERSHIP),  # see the "attendees" page
    "GET /api/events/{event_id}/roster": Rule(PARTNERSHIP),
    "GET /api/events/{event_id}/roster/counts": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/walk-ins": Rule(
        PARTNERSHIP, body={"email": "walker@example.org", "full_name": "Wally Walker"}
    ),
    "POST /api/events/{event_id}/check-in": Rule(PARTNERSHIP, body={"code": "000000"}),
    "POST /api/registrations/{registration_id}/attendance": Rule(PARTNERSHIP, body={"attended": True}),
    "POST /api/registrations/{registration_id}/waitlist/top": Rule(PARTNERSHIP),
    "POST /api/registrations/{registration_id}/check-in/undo": Rule(PARTNERSHIP),
    "GET /api/events/{event_id}/check-in": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/attendance/finalise": Rule(PARTNERSHIP),
    "GET /api/me/export": Rule(LOGIN),
    "POST /api/me/delete": Rule(LOGIN, body={"password": "not the password"}),
    # referrals: our own API, and Open Referral HSDS 3.0 (public data only)
    "GET /api/referrals/where": Rule(
        PUBLIC, query=lambda w: {"partnership": w.partnership.slug, "need": "speech-language", "role": "mch-nurse"}
    ),
    "GET /api/referrals/pathways": Rule(PUBLIC),
    "POST /api/referrals/pathways": Rule(
        PARTNERSHIP,
        body=lambda w: {
            "partnership": w.partnership.slug,
            "source_role": "gp",
            "target_service_id": str(w.referrals.service.pk),
            "needs": ["speech-language"],
        },
    ),
    "GET /api/referrals/pathways/{pathway_id}": Rule(PUBLIC),
    "PATCH /api/referrals/pathways/{pathway_id}": Rule(PARTNERSHIP),
    "GET /api/referrals/pathways/{pathway_id}/revisions": Rule(PARTNERSHIP),
    "POST /api/referrals/suggestions": Rule(
        LOGIN, body=lambda w: {"service_id": str(w.referrals.service.pk), "field": "other", "note": "The walk."}
    ),
    "GET /api/referrals/suggestions": Rule(PARTNERSHIP, query=lambda w: {"partnership": w.partnership.slug}),
    "POST /api/referrals/suggestions/{suggestion_id}/accept": Rule(PARTNERSHIP),
    "POST /api/referrals/suggestions/{suggestion_id}/reject": Rule(PARTNERSHIP),
    "GET /api/hsds/": Rule(PUBLIC),
    "GET /api/hsds/services": Rule(PUBLIC),
    "GET /api/hsds/services/{id}": Rule(PUBLIC),
    "GET /api/hsds/organizations": Rule(PUBLIC),
    "GET /api/hsds/organizations/{id}": Rule(PUBLIC),
    "GET /api/hsds/taxonomies": Rule(PUBLIC),
    "GET /api/hsds/taxonomies/{id}": Rule(PUBLIC),
    "GET /api/hsds/taxonomy_terms": Rule(PUBLIC),
    "GET /api/hsds/taxonomy_terms/{id}": Rule(PUBLIC),
    "GET /api/hsds/service_at_locations": Rule(PUBLIC),
    "GET /api/hsds/service_at_locations/{id}": Rule(PUBLIC),
    # Any other path under /api/hsds/ is a JSON 404, whoever asks.
    **{f"{m} /api/hsds/{{rest}}": Rule(PUBLIC, always_404=True) for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    # networking (tables and badges)
    "GET /api/events/{event_id}/table-plan": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/table-plan": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/table-plan/regenerate": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/table-plan/move": Rule(
        PARTNERSHIP, body=lambda w: {"registration_id": w.registration.pk, "group_id": w.table_plan.groups.first().pk}
    ),
    "POST /api/events/{event_id}/table-plan/pin": Rule(
        PARTNERSHIP, body=lambda w: {"registration_id": w.registration.pk}
    ),
    "POST /api/table-groups/{group_id}/lock": Rule(PARTNERSHIP),
    "POST /api/table-groups/{group_id}/unlock": Rule(PARTNERSHIP),
    "PATCH /api/table-groups/{group_id}": Rule(PARTNERSHIP),
    "GET /api/events/{event_id}/table-plan/badges.pdf": Rule(PARTNERSHIP),
    "GET /api/events/{event_id}/my-table": Rule(PARTNERSHIP),  # see the "my-table" page
    # calendar and messages
    "GET /api/me/feeds": Rule(LOGIN),
    "POST /api/me/feeds/{kind}/reset": Rule(LOGIN),
    "GET /api/events/{event_id}/messages": Rule(PARTNERSHIP),
    # certificates
    "GET /api/certificates/verify/{code}": Rule(PUBLIC),
    "GET /api/certificates/{code}/badge": Rule(PUBLIC),
    "GET /api/registrations/{registration_id}/certificate.pdf": Rule(PARTNERSHIP),  # the owner or coordinators
    "POST /api/registrations/{registration_id}/certificate": Rule(PARTNERSHIP),
    "POST /api/certificates/{code}/revoke": Rule(PARTNERSHIP, body={"reason": "The walk revokes it."}),
    "GET /api/events/{event_id}/certificates": Rule(PARTNERSHIP),
    "POST /api/events/{event_id}/certificates": Rule(PARTNERSHIP),
    "GET /api/certificate-batches/{batch_id}": Rule(PARTNERSHIP),
    "GET /api/events/{event_id}/certificates.zip": Rule(PARTNERSHIP),
    "GET /api/me/cpd-statement": Rule(LOGIN),
    "GET /api/me/cpd-statement.pdf": Rule(LOGIN),
    # reports and feedback
    "GET /api/partnerships/{slug}/report": Rule(PARTNERSHIP),
    "GET /api/partnerships/{slug}/report/{table}.csv": Rule(PARTNERSHIP),
    "GET /api/partnerships/{slug}/report.pdf": Rule(PARTNERSHIP),
    "GET /api/partnerships/{slug}/feedback": Rule(PARTNERSHIP),
    "PATCH /api/feedback/{feedback_id}": Rule(PARTNERSHIP, body={"quote_field": ""}),
    "GET /api/registrations/{registration_id}/feedback": Rule(OWNER),
    "PUT /api/registrations/{registration_id}/feedback": Rule(OWNER, body={"rating": 5, "would_recommend": True}),
    # servicemap
    "GET /api/servicemap/{slug}/graph": Rule(PUBLIC),
    "GET /api/servicemap/{slug}/graph/export": Rule(PUBLIC),
    "GET /api/servicemap/{slug}/insights": Rule(PARTNERSHIP),
    "GET /api/servicemap/events/{event_id}/featured": Rule(PARTNERSHIP),
    "PUT /api/servicemap/events/{event_id}/featured": Rule(PARTNERSHIP, body={"service_ids": [], "pathway_ids": []}),
    "GET /api/servicemap/events/{event_id}/digest": Rule(PARTNERSHIP),
}


# --- Sample values for URL kwargs ----------------------------------------------------------------
def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _service_at_location(world):
    from referrals.models import Location, ServiceAtLocation

    service = world.referrals.service
    location, _ = Location.objects.get_or_create(directory=service.directory, name="Walk site")
    return ServiceAtLocation.objects.get_or_create(directory=service.directory, service=service, location=location)[0]


# By kwarg name, for every route that has it…
KWARG_SAMPLES: dict[str, Callable[[SimpleNamespace], Any]] = {
    "slug": lambda w: w.partnership.slug,
    "token_id": lambda w: w.owner_token.pk,
    "event_id": lambda w: w.event.pk,
    "series_id": lambda w: w.series.pk,
    "registration_id": lambda w: w.registration.pk,
    "service_id": lambda w: w.referrals.service.pk,
    "pathway_id": lambda w: w.referrals.pathway.pk,
    "suggestion_id": lambda w: w.referrals.suggestion.pk,
    "import_id": lambda w: w.referrals.hsds_import.pk,
    "group_id": lambda w: w.table_plan.groups.first().pk,
    "kind": lambda w: "personal",
    "message_id": lambda w: w.message.pk,
    "code": lambda w: w.certificate.code,
    "batch_id": lambda w: w.certificate_batch.pk,
    "table": lambda w: "sessions",
    "feedback_id": lambda w: w.reporting.feedback.pk,
}

# …unless the route has its own (route key → all of its kwargs).
ROUTE_SAMPLES: dict[str, Callable[[SimpleNamespace], dict[str, Any]]] = {
    "GET /api/hsds/services/{id}": lambda w: {"id": w.referrals.service.pk},
    "GET /api/hsds/organizations/{id}": lambda w: {"id": w.referrals.service.organization_id},
    "GET /api/hsds/taxonomies/{id}": lambda w: {"id": w.referrals.term.taxonomy_id},
    "GET /api/hsds/taxonomy_terms/{id}": lambda w: {"id": w.referrals.term.pk},
    "GET /api/hsds/service_at_locations/{id}": lambda w: {"id": _service_at_location(w).pk},
    **{
        f"{m} /api/hsds/{{rest}}": (lambda w: {"rest": "no-such-list"})
        for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
    },
    "verify-email": lambda w: {
        "uidb64": _uid(w.unverified),
        "token": email_verification_token.make_token(w.unverified),
    },
    "event-certificates-zip": lambda w: {"slug": w.partnership.slug, "event_id": w.past_event.pk},
    "event-certificates-pdf": lambda w: {"slug": w.partnership.slug, "event_id": w.past_event.pk},
    "GET /api/events/{event_id}/certificates.zip": lambda w: {"event_id": w.past_event.pk},
    "GET /api/registrations/{registration_id}/certificate.pdf": lambda w: {
        "registration_id": w.certificate.registration_id
    },
    "personal-feed": lambda w: {"token": w.personal_feed.token},
    "feedback-answer": lambda w: {"token": w.reporting.token},
    "cancel-place": lambda w: {"token": _cancel_token(w.registration)},
    "PATCH /api/venues/{venue_id}": lambda w: {"venue_id": _walked_venue(w).pk},
    "coordinator-feed": lambda w: {"token": w.coordinator_feed.token},
    "password_reset_confirm": lambda w: {
        "uidb64": _uid(w.coordinator),
        "token": default_token_generator.make_token(w.coordinator),
    },
}


def _cancel_token(registration) -> str:
    from notifications.cancel_links import cancel_token

    return cancel_token(registration)


def _walked_venue(world):
    from events.models import Venue

    return Venue.objects.get_or_create(
        partnership=world.partnership, name="Walked place", defaults={"address": "1 Sturt Street"}
    )[0]


_RENDERED: list[bytes] = []


@contextlib.contextmanager
def _one_render():
    """The walk needs a certificate in every test, not a fresh PDF each time: render once, reuse the bytes."""
    import certificates.services as certificate_services

    real = certificate_services.certificate_pdf

    def once(*args, **kwargs):
        if not _RENDERED:
            _RENDERED.append(real(*args, **kwargs))
        return _RENDERED[0]

    certificate_services.certificate_pdf = once
    try:
        yield
    finally:
        certificate_services.certificate_pdf = real


def _referrals_world(partnership, coordinator) -> SimpleNamespace:
    """A directory with a service, a pathway to it, a pending suggestion and a previewed HSDS file."""
    from referrals.services import hsds_import_preview, suggestion_create
    from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory, need

    directory = DirectoryFactory(partnership=partnership)
    service = ServiceFactory(directory=directory, name="Walked service")
    return SimpleNamespace(
        service=service,
        pathway=PathwayFactory(directory=directory, target_service=service),
        suggestion=suggestion_create(user=coordinator, service=service, field="other", note="Walked suggestion"),
        hsds_import=hsds_import_preview(directory=directory, payload=[], filename="walk.json", user=coordinator),
        term=need("speech-language"),
    )


def _reporting_world(attended_registration) -> SimpleNamespace:
    """Feedback on the past session the coordinator attended, and the e-mailed link's token for it."""
    from reporting.services import feedback_request_create, feedback_submit

    _, token = feedback_request_create(registration=attended_registration)
    feedback, _ = feedback_submit(registration=attended_registration, rating=5, would_recommend=True)
    return SimpleNamespace(feedback=feedback, token=token)


@pytest.fixture
def world(partnership, coordinator, other_partnership, other_coordinator, practitioner, token_for, settings, tmp_path):
    """The sample objects: they belong to `partnership` and to its coordinator, the owner."""
    settings.MEDIA_ROOT = tmp_path / "media"
    past_event = EventFactory(
        partnership=partnership,
        title="Walked past session",
        start=timezone.now() - timedelta(days=3),
        end=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    past_registration = RegistrationFactory(event=past_event, user=coordinator, attendance="attended")
    with _one_render():
        certificate = certificate_issue(registration=past_registration, notify=False)
    staff = UserFactory(email="staff@example.org", full_name="Sam Staff", is_staff=True)
    owner_token, _ = api_token_create(user=coordinator, name="sample token")
    unverified = UserFactory(email="new@example.org", full_name="Nell New", email_verified=False)
    event = EventFactory(partnership=partnership, title="Walked session")  # published
    series = series_create(
        partnership=partnership,
        created_by=coordinator,
        title="Walked series",
        rrule="FREQ=MONTHLY;COUNT=2",
        start_date=date(timezone.localdate().year + 1, 1, 1),
        start_time=time(9, 30),
    )
    registration, _ = registration_create(event=event, user=coordinator)  # the owner's own registration
    users = {
        "practitioner": practitioner,
        "other_coordinator": other_coordinator,
        "staff": staff,
        "coordinator": coordinator,
    }
    return SimpleNamespace(
        partnership=partnership,
        other_partnership=other_partnership,
        coordinator=coordinator,
        owner=coordinator,
        owner_token=owner_token,
        unverified=unverified,
        event=event,
        series=series,
        registration=registration,
        listed=registration_update_details(registration=registration, consent_attendee_list=True),
        table_plan=plan_generate(event=event, by=coordinator, seed=1),
        past_event=past_event,
        certificate=certificate,
        certificate_batch=CertificateBatch.objects.create(event=past_event, total=1, done=1, status="finished"),
        personal_feed=feed_token_get_or_create(user=coordinator, kind="personal"),
        coordinator_feed=feed_token_get_or_create(user=coordinator, kind="coordinator"),
        message=OutboxMessage.objects.create(
            kind="notice", status="failed", to_email=coordinator.email, event=event, subject="s", body_text="b"
        ),
        referrals=_referrals_world(partnership, coordinator),
        reporting=_reporting_world(past_registration),
        users=users,
        bearer={name: token_for(user) for name, user in users.items()},
    )


# --- The walk ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    kind: str  # "page", "api" or "admin"
    key: str  # pages and admin: the URL name; API: "METHOD /path"
    route: str  # the Django route or the OpenAPI path, for messages
    kwargs: tuple[str, ...] = ()
    problem: str = ""  # why the walk cannot handle this route

    def __str__(self) -> str:
        return self.key


def _serves_files(callback) -> bool:
    """Django's static()/media serving views (DEBUG only): they serve files, not the app. Skipped."""
    module = getattr(callback, "__module__", "")
    return module in {"django.views.static", "django.contrib.staticfiles.views"}


def _ninja_path_view(callback):
    """The ninja PathView behind an API URL pattern (its view is a closure over it), or None."""
    from ninja.operation import PathView

    for cell in getattr(callback, "__closure__", None) or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(contents, PathView):
            return contents
    return None


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _walk(resolver, prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()) -> Iterator[Any]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        found = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            if entry.app_name == "admin":
                # Django's admin guards all of its views itself; only its front door is walked.
                yield Route("admin", f"{inner}:index", route)
                continue
            yield from _walk(entry, route, inner, found)
            continue
        assert isinstance(entry, URLPattern)
        if _serves_files(entry.callback):
            continue  # static/media file serving (django.conf.urls.static.static()): no authorization
        path_view = _ninja_path_view(entry.callback)
        if path_view is not None:
            yield ("ninja", _openapi_path(route), path_view)
            continue
        if not entry.name:
            yield Route("page", route, route, found, f"name the URL pattern, then {ADD_IT}")
            continue
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        yield Route("page", name, route, found)


def discover_routes() -> list[Route]:
    """Every page, the admin's front door, and every API operation (from the OpenAPI schema)."""
    from config.api import api

    schema = api.get_openapi_schema()
    routes: list[Route] = []
    ninja_paths: dict[str, set[str]] = {}
    for item in _walk(get_resolver()):
        if isinstance(item, Route):
            routes.append(item)
            continue
        _, path, path_view = item
        methods = ninja_paths.setdefault(path, set())
        for operation in path_view.operations:
            methods.update(method.upper() for method in operation.methods)
    seen: set[str] = set()
    for path, operations in schema["paths"].items():
        for method in operations:
            key = f"{method.upper()} {path}"
            seen.add(key)
            params = tuple(re.findall(r"{(\w+)}", path))
            problem = "" if path in ninja_paths else "the walk found no URL pattern for it; fix discover_routes()"
            routes.append(Route("api", key, path, params, problem))
    # An operation left out of the schema (include_in_schema=False, or a second NinjaAPI) is walked all the same.
    for path, methods in ninja_paths.items():
        for method in sorted(methods):
            key = f"{method} {path}"
            if key not in seen:
                routes.append(Route("api", key, path, tuple(re.findall(r"{(\w+)}", path))))
    return routes


ROUTES = discover_routes()
WALKED = [route for route in ROUTES if route.kind != "admin"]
ADMIN = [route for route in ROUTES if route.kind == "admin"]


# --- Requests and verdicts -----------------------------------------------------------------------
def _no_sample(route: Route, detail: str) -> None:
    pytest.fail(f"no sample/classification for {route.key}; {ADD_IT} ({detail})", pytrace=False)


def _rule(route: Route) -> Rule:
    rule = (API if route.kind == "api" else PAGES).get(route.key)
    if rule is None:
        table = "API" if route.kind == "api" else "PAGES"
        _no_sample(route, f"route {route.route!r} is not in {table}")
    return rule


def _sample_kwargs(route: Route, world) -> dict[str, Any]:
    if route.key in ROUTE_SAMPLES:
        values = ROUTE_SAMPLES[route.key](world)
        missing = [name for name in route.kwargs if name not in values]
        if missing:
            _no_sample(route, f"ROUTE_SAMPLES gives no {', '.join(missing)}")
        return values
    missing = [name for name in route.kwargs if name not in KWARG_SAMPLES]
    if missing:
        _no_sample(route, f"no sample value for the URL kwarg {', '.join(missing)} in KWARG_SAMPLES or ROUTE_SAMPLES")
    return {name: KWARG_SAMPLES[name](world) for name in route.kwargs}


def _url(route: Route, kwargs: dict[str, Any]) -> str:
    if route.kind == "api":
        return re.sub(r"{(\w+)}", lambda m: str(kwargs[m.group(1)]), route.route)
    return reverse(route.key, kwargs=kwargs or None)


def _with_query(url: str, rule: Rule, world) -> str:
    query = _sample(rule.query, world)
    return f"{url}?{urlencode(query)}" if query else url


def _client(route: Route, caller: str, world) -> Client:
    client = Client(raise_request_exception=False)
    if caller != "anonymous" and route.kind != "api":
        client.force_login(world.users[caller])
    return client


def _send(route: Route, rule: Rule, caller: str, method: str, url: str, world):
    client = _client(route, caller, world)
    url = _with_query(url, rule, world)
    if route.kind == "api":
        headers = world.bearer.get(caller, {})
        if method in {"GET", "HEAD", "OPTIONS"}:
            return client.generic(method, url, headers=headers)
        body = json.dumps(_sample(rule.body, world))
        return client.generic(method, url, body, content_type="application/json", headers=headers)
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")


def _is_login_redirect(response, url: str, login_path: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == login_path and parse_qs(location.query).get("next") == [url]


def _verdict(route: Route, rule: Rule, caller: str, method: str, url: str, response) -> str | None:
    """None if the answer is right for this caller, else what is wrong."""
    status = response.status_code
    seen = f"{method} {url} as {caller} ({rule.access}) → {status}"
    if status >= 500:
        error = getattr(response, "exc_info", None)
        return f"{seen}: a server error{f' ({error[1]!r})' if error else ''}"
    if status == 405:
        fix = "two routers serve this path?" if route.kind == "api" else "list only the methods it serves in PAGES"
        return f"{seen}: the method is not allowed ({fix})"
    login = reverse("login")
    if caller in ALLOWED[rule.access]:
        if status == 404 and rule.always_404:
            return None
        if status in {401, 403, 404}:
            return f"{seen}, but {caller} may use it"
        if route.kind == "page" and _is_login_redirect(response, url, login):
            return f"{seen}: sent to the login page, but {caller} may use it"
        return None
    if caller == "anonymous":
        if route.kind == "api":
            return None if status == 401 else f"{seen}: an anonymous API call must be refused with 401"
        if status in {401, 403, 404} or _is_login_redirect(response, url, login):
            return None
        return f"{seen}: an anonymous caller must be sent to {login}?next={url} (or get 401/403/404)"
    if status in {403, 404}:
        return None
    hint = ""
    if status == 422:
        hint = (
            " — the request was validated before the permission check, so the walk never reached it;"
            f" give {route.key!r} a valid `body=` (or the `query=` it needs) in API"
        )
    return f"{seen}: {caller} must be refused with 403 or 404{hint}"


# --- The tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("route", WALKED, ids=str)
def test_route_answers_each_caller_as_classified(route: Route, world):
    if route.problem:
        pytest.fail(f"no sample/classification for {route.key}; {route.problem}", pytrace=False)
    rule = _rule(route)
    kwargs = _sample_kwargs(route, world)
    url = _url(route, kwargs)
    methods = (route.key.split(" ", 1)[0],) if route.kind == "api" else rule.methods
    wrong = []
    for caller in CALLERS:  # the owner comes last, so what it changes cannot hide a refusal
        for method in methods:
            response = _send(route, rule, caller, method, url, world)
            verdict = _verdict(route, rule, caller, method, url, response)
            if verdict:
                wrong.append(verdict)
    assert not wrong, f"{route.key} ({route.route}):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("route", ADMIN, ids=str)
def test_admin_front_door_is_for_staff_only(route: Route, world):
    url = reverse(route.key)
    admin_login = reverse(route.key.rsplit(":", 1)[0] + ":login")

    def to_admin_login(response) -> bool:
        location = urlsplit(response.get("Location", ""))
        return response.status_code == 302 and location.path == admin_login

    anonymous = Client(raise_request_exception=False).get(url)
    assert to_admin_login(anonymous), f"GET {url} as anonymous → {anonymous.status_code}"
    assert parse_qs(urlsplit(anonymous["Location"]).query).get("next") == [url]
    for caller in ("practitioner", "other_coordinator", "coordinator"):
        response = _client(route, caller, world).get(url)
        assert to_admin_login(response) or response.status_code == 403, (
            f"GET {url} as {caller} → {response.status_code}"
        )
    staff = _client(route, "staff", world).get(url)
    assert staff.status_code == 200, f"GET {url} as staff → {staff.status_code}"


def test_the_walk_finds_the_project():
    keys = {route.key for route in ROUTES}
    assert {"home", "manage-partnership", "GET /api/me", "DELETE /api/me/tokens/{token_id}"} <= keys
    assert ADMIN, "the admin was not found"


def test_the_tables_name_only_routes_that_exist():
    """A renamed or removed route must leave the tables too, or they end up describing another app."""
    keys = {route.key for route in ROUTES}
    stale = sorted((set(PAGES) | set(API) | set(ROUTE_SAMPLES)) - keys)
    assert not stale, f"tests/test_authorization.py names routes that no longer exist: {', '.join(stale)}"
    kwargs = {name for route in ROUTES for name in route.kwargs}
    unused = sorted(set(KWARG_SAMPLES) - kwargs)
    assert not unused, f"KWARG_SAMPLES has values for kwargs no route takes: {', '.join(unused)}"


# --- Followers and announcements (notifications.announcements) ---------------------------------------
def _walked_follow(world):
    """The owner follows the sample partnership (the unsubscribe link's token names this follow)."""
    from notifications.announcements import follow_set

    return follow_set(user=world.coordinator, partnership=world.partnership)


def _unsubscribe_token(world) -> str:
    from notifications.announcements import unsubscribe_token

    return unsubscribe_token(_walked_follow(world))


_ANNOUNCEMENT = {"subject": "Walked announcement", "body": "The walk says hello."}
PAGES.update(
    {
        "following": Rule(LOGIN, FORM),  # an empty POST is a form error
        "follow-stop": Rule(LOGIN, ("POST",)),  # stops the caller's own follow of the partnership in the URL
        "unsubscribe": Rule(PUBLIC, FORM),  # the signed link in the announcement is the credential (RFC 8058)
        "announcements": Rule(PARTNERSHIP, FORM),
    }
)
API.update(
    {
        "GET /api/me/follows": Rule(LOGIN),
        "PUT /api/me/follows/{slug}": Rule(LOGIN),
        "DELETE /api/me/follows/{slug}": Rule(LOGIN),
        "GET /api/partnerships/{slug}/announcements": Rule(PARTNERSHIP),
        "POST /api/partnerships/{slug}/announcements/preview": Rule(PARTNERSHIP, body=_ANNOUNCEMENT),
        "POST /api/partnerships/{slug}/announcements": Rule(PARTNERSHIP, body=_ANNOUNCEMENT),
    }
)
ROUTE_SAMPLES.update({"unsubscribe": lambda w: {"token": _unsubscribe_token(w)}})


# --- Session resources (resources/) ----------------------------------------------------------------
# The sample resource is an attendees-only file of the past session the coordinator attended: only its
# partnership's coordinators (and staff) and its attendees may see it, so it answers like a
# partnership-private route. Public resources, presenters and attendees are tested in tests/resources.
def _walked_resource(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from resources.demo import demo_pdf
    from resources.models import Resource
    from resources.services import resource_add_file

    found = Resource.objects.filter(event=world.past_event, title="Walked handout").first()
    if found is not None:
        return found
    upload = SimpleUploadedFile("walked.pdf", demo_pdf("Walked", []), content_type="application/pdf")
    return resource_add_file(event=world.past_event, upload=upload, title="Walked handout", by=world.coordinator)


def _walked_presenter(world):
    from resources.models import SessionPresenter

    user = UserFactory(email="presenter@example.org") if not hasattr(world, "presenter") else world.presenter
    world.presenter = user
    return SessionPresenter.objects.get_or_create(event=world.event, user=user)[0]


PAGES.update(
    {
        "event-resources": Rule(PARTNERSHIP, FORM),  # and the session's presenters
        "resource-file": Rule(PARTNERSHIP),  # an attendees-only file; public ones are anyone's
        "resource-delete": Rule(PARTNERSHIP, ("POST",)),
        "event-presenters": Rule(PARTNERSHIP, ("POST",)),
        "resource-library": Rule(PUBLIC),
    }
)
API.update(
    {
        "GET /api/events/{event_id}/resources": Rule(PUBLIC),
        "POST /api/events/{event_id}/resources/links": Rule(
            PARTNERSHIP, body={"title": "Walked link", "url": "https://example.org/walk"}
        ),
        "POST /api/events/{event_id}/resources/files": Rule(PARTNERSHIP),
        "GET /api/resources/{resource_id}": Rule(PARTNERSHIP),
        "GET /api/resources/{resource_id}/file": Rule(PARTNERSHIP),
        "PATCH /api/resources/{resource_id}": Rule(PARTNERSHIP, body={"title": "Walked again"}),
        "DELETE /api/resources/{resource_id}": Rule(PARTNERSHIP),
        "GET /api/partnerships/{slug}/resources": Rule(PUBLIC),
        "GET /api/events/{event_id}/presenters": Rule(PARTNERSHIP),
        "POST /api/events/{event_id}/presenters": Rule(PARTNERSHIP, body={"email": "pat@example.org"}),
        "DELETE /api/events/{event_id}/presenters/{user_id}": Rule(PARTNERSHIP),
    }
)
KWARG_SAMPLES["resource_id"] = lambda w: _walked_resource(w).pk
ROUTE_SAMPLES["DELETE /api/events/{event_id}/presenters/{user_id}"] = lambda w: {
    "event_id": w.event.pk,
    "user_id": _walked_presenter(w).user_id,
}


def _walked_resource_again(world, url: str) -> None:
    """Put back the sample resource a caller before this one (staff) removed, under the same id."""
    from resources.models import Resource

    pk = int(re.search(r"/resources/(\d+)", url).group(1))
    if not Resource.objects.filter(pk=pk).exists():
        Resource.objects.filter(pk=_walked_resource(world).pk).update(id=pk)


# Removals: every caller must find the sample there (staff, allowed, asks before the coordinator does).
_RESTORE = {
    "resource-delete": _walked_resource_again,
    "DELETE /api/resources/{resource_id}": _walked_resource_again,
    "DELETE /api/events/{event_id}/presenters/{user_id}": lambda world, url: _walked_presenter(world),
}
_send_one = _send


def _send(route: Route, rule: Rule, caller: str, method: str, url: str, world):  # noqa: F811 - restores first
    if route.key in _RESTORE:
        _RESTORE[route.key](world, url)
    return _send_one(route, rule, caller, method, url, world)


# --- Waitlist offers (registrations): the e-mailed Accept / Decline links and the API's answers ----------


def _offered_registration(world):
    """The owner's own registration holding a waitlist offer, on a session of the sample partnership."""
    event = EventFactory(partnership=world.partnership, title="Walked full session", capacity=1)
    return RegistrationFactory(
        event=event, user=world.coordinator, status="offered", offer_expires_at=timezone.now() + timedelta(hours=24)
    )


def _offer_token(world) -> dict:
    from registrations.offer_links import offer_token

    return {"token": offer_token(_offered_registration(world))}


PAGES.update(
    {
        # the signed link in the offer e-mail is the credential (GET asks; POST accepts or declines)
        "offer-accept": Rule(PUBLIC, FORM),
        "offer-decline": Rule(PUBLIC, FORM),
    }
)
API.update(
    {
        "POST /api/registrations/{registration_id}/offer/accept": Rule(OWNER),
        "POST /api/registrations/{registration_id}/offer/decline": Rule(OWNER),
    }
)
ROUTE_SAMPLES.update(
    {
        "offer-accept": _offer_token,
        "offer-decline": _offer_token,
        "POST /api/registrations/{registration_id}/offer/accept": lambda w: {
            "registration_id": _offered_registration(w).pk
        },
        "POST /api/registrations/{registration_id}/offer/decline": lambda w: {
            "registration_id": _offered_registration(w).pk
        },
    }
)
