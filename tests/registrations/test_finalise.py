"""Finalising is a decision (a confirmation that says what happens), then background work with progress."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateBatch
from registrations.services import attendance_mark
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory


@pytest.fixture
def session(partnership, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    start = timezone.now() - timedelta(hours=3)
    event = EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2), title="Pathways")
    came = [
        attendance_mark(registration=RegistrationFactory(event=event), attended=True, by=coordinator) for _ in range(3)
    ]
    missed = RegistrationFactory(event=event, user=UserFactory(full_name="Ben Absent"))
    return event, came, missed


@pytest.mark.django_db
def test_the_confirmation_says_what_happens_and_changes_nothing(client, session, coordinator):
    event, came, missed = session
    client.force_login(coordinator)
    roster = client.get(f"/manage/ballarat/events/{event.pk}/roster/").content.decode()
    url = f"/manage/ballarat/events/{event.pk}/roster/finalise/"
    assert f'href="{url}"' in roster  # a link to the decision, not a one-click POST
    page = client.get(url).content.decode()
    assert "<strong>1</strong> person not marked as attended becomes a no-show" in page
    assert "Ben Absent" in page
    assert "<strong>3</strong> attendees get a certificate of attendance by e-mail" in page
    assert "feedback form" in page
    event.refresh_from_db()
    missed.refresh_from_db()
    assert event.attendance_finalised_at is None and missed.attendance == "unknown"


@pytest.mark.django_db
def test_finalising_goes_to_the_progress_bar(client, session, coordinator):
    event, came, missed = session
    client.force_login(coordinator)
    response = client.post(f"/manage/ballarat/events/{event.pk}/roster/finalise/")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/ballarat/events/{event.pk}/certificates/"
    page = client.get(response["Location"]).content.decode()
    assert "Attendance is final: 1 marked as no-show." in page
    assert "data-batch-progress" in page and "<progress" in page
    missed.refresh_from_db()
    assert missed.attendance == "no_show"
    assert (
        "already finalised"
        in client.post(f"/manage/ballarat/events/{event.pk}/roster/finalise/", follow=True).content.decode()
    )


@pytest.mark.django_db
def test_issuing_again_with_nothing_to_issue_says_so(client, session, coordinator):
    event, came, missed = session
    for registration in came:
        certificate_services.certificate_issue(registration=registration, notify=False)
    client.force_login(coordinator)
    batches = CertificateBatch.objects.count()
    page = client.post(f"/manage/ballarat/events/{event.pk}/certificates/issue/", follow=True).content.decode()
    assert "Nothing to issue: everyone marked as attended already has a certificate." in page
    assert "Issuing 0" not in page and "0 of 0" not in page
    assert CertificateBatch.objects.count() == batches


@pytest.mark.django_db(transaction=True)
def test_with_eager_celery_the_batch_runs_after_the_response_in_a_thread(
    client, session, coordinator, settings, monkeypatch
):
    """The embedded default (no broker): the request does no rendering; a thread issues every certificate."""
    settings.CROSSROADS_EAGER_IN_THREAD = True
    event, came, missed = session
    rendered_in = []
    real = certificate_services.certificate_pdf

    def spy(*args, **kwargs):
        rendered_in.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(certificate_services, "certificate_pdf", spy)
    certificate_services.BACKGROUND_THREADS.clear()
    client.force_login(coordinator)
    request_thread = threading.current_thread()
    response = client.post(f"/manage/ballarat/events/{event.pk}/roster/finalise/")
    assert response.status_code == 302
    assert request_thread not in rendered_in  # nothing was drawn inside the request
    assert len(certificate_services.BACKGROUND_THREADS) == 1
    for thread in certificate_services.BACKGROUND_THREADS:
        thread.join(timeout=120)
    batch = CertificateBatch.objects.get(event=event)
    assert (batch.status, batch.done, batch.total) == ("finished", 3, 3)
    assert Certificate.objects.filter(event=event, status="valid").count() == 3
    assert rendered_in and all(t is not request_thread for t in rendered_in)
    progress = client.get(f"/manage/ballarat/certificate-batches/{batch.pk}/")
    assert progress.json()["status"] == "finished" and progress.json()["percent"] == 100
