"""The thank-you e-mail after a session links the session's resources (read when it is sent)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import messages
from tests.events.factories import EventFactory, RegistrationFactory
from tests.resources.factories import file_resource, link_resource

pytestmark = pytest.mark.django_db


def test_the_thank_you_email_links_every_resource(partnership, practitioner, django_capture_on_commit_callbacks):
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(partnership=partnership, title="Child safety", start=start, end=start + timedelta(hours=2))
    registration = RegistrationFactory(event=event, user=practitioner, attendance="attended")
    handout = file_resource(event, visibility="attendees", title="Attendee handout")
    link_resource(event, visibility="public", title="The guide", url="https://example.org/guide")
    with django_capture_on_commit_callbacks(execute=True):
        messages.after_session(registration)
    (email,) = [m for m in mail.outbox if m.to == [practitioner.email]]
    assert "Attendee handout" in email.body and f"/resources/{handout.pk}/file/" in email.body
    assert "The guide: https://example.org/guide" in email.body
    assert f"{event.get_absolute_url()}#resources" in email.body
    html = email.alternatives[0][0]
    assert f'/resources/{handout.pk}/file/"' in html and "The guide</a>" in html


def test_no_resources_no_section(partnership, practitioner, django_capture_on_commit_callbacks):
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2))
    registration = RegistrationFactory(event=event, user=practitioner, attendance="attended")
    with django_capture_on_commit_callbacks(execute=True):
        messages.after_session(registration)
    (email,) = mail.outbox
    assert "From the session" not in email.body
