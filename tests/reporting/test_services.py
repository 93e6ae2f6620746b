"""Feedback: the invitation on finalising attendance, one answer per attendee, the edit week, the link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Sector
from notifications.models import OutboxMessage
from notifications.receivers import muted
from registrations.models import Registration
from registrations.services import attendance_finalise, attendance_mark, user_delete_account
from reporting import services
from reporting.models import LINK_DAYS, Feedback, FeedbackRequest, hash_token
from reporting.selectors import feedback_request_get_by_token
from tests.accounts.factories import UserFactory
from tests.events.factories import RegistrationFactory

from .factories import FeedbackFactory, attended, local, no_show, past_event

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/feedback/([\w-]+)/")
ANSWERS = {"rating": 5, "would_recommend": True}


@pytest.fixture
def event(partnership):
    now = timezone.localtime(timezone.now(), partnership.zone)
    return past_event(partnership, now - timedelta(days=1), title="Referral pathways")


@pytest.fixture
def attendee(event, practitioner):
    return attended(event, practitioner)


def finalise(event, by, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attendance_finalise(event=event, by=by)


def feedback_mails(to: str | None = None):
    return [m for m in mail.outbox if "feedback" in m.subject.lower() and (to is None or m.to == [to])]


def token_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_finalising_attendance_invites_each_attendee_once_with_their_own_link(
    event, coordinator, practitioner, other_practitioner, django_capture_on_commit_callbacks
):
    mine = attended(event, practitioner)
    theirs = attended(event, other_practitioner)
    absent = RegistrationFactory(event=event, status=Registration.Status.CONFIRMED)  # unmarked: a no-show
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    finalise(event, coordinator, django_capture_on_commit_callbacks)

    assert {m.to[0] for m in feedback_mails()} == {practitioner.email, other_practitioner.email}
    for registration, person in ((mine, practitioner), (theirs, other_practitioner)):
        (message,) = feedback_mails(person.email)
        assert "Referral pathways" in message.body
        assert message.alternatives and "Give feedback" in message.alternatives[0][0]
        request = feedback_request_get_by_token(token=token_in(message))
        assert request.registration == registration
    assert not FeedbackRequest.objects.filter(registration__in=[absent, waiting]).exists()
    outbox = OutboxMessage.objects.filter(dedupe_key=f"thanks:{mine.pk}").get()  # the one after-session e-mail
    assert outbox.status == OutboxMessage.Status.SENT and outbox.event == event


def test_the_token_is_stored_only_as_its_hash(attendee):
    request, raw = services.feedback_request_create(registration=attendee)
    assert request.token_hash == hash_token(raw) != raw
    assert not FeedbackRequest.objects.filter(token_hash=raw).exists()
    assert request.expires_at - request.created_at == timedelta(days=LINK_DAYS)


def test_an_attendee_is_invited_only_once(attendee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feedback_invite(registration=attendee) is not None
        assert services.feedback_invite(registration=attendee) is None
    assert FeedbackRequest.objects.filter(registration=attendee).count() == 1
    assert len(feedback_mails()) == 1


def test_no_invitations_while_muted(event, attendee, coordinator, django_capture_on_commit_callbacks):
    with muted():
        finalise(event, coordinator, django_capture_on_commit_callbacks)
    assert not FeedbackRequest.objects.exists()
    assert not feedback_mails()


def test_no_invitation_when_finalising_rolls_back(event, attendee, coordinator):
    with pytest.raises(RuntimeError), transaction.atomic():
        attendance_finalise(event=event, by=coordinator)
        raise RuntimeError
    assert not FeedbackRequest.objects.exists()
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="feedback:").exists()


def test_an_attendee_gives_feedback_once_and_changes_it(attendee):
    medical = Sector.objects.get(slug="medical")
    feedback, created = services.feedback_submit(
        registration=attendee, rating=4, would_recommend=True, new_contacts=3, sectors_connected=[medical]
    )
    assert created
    again, created = services.feedback_submit(registration=attendee, rating=2, would_recommend=False, comments=" Hm ")
    assert not created and again.pk == feedback.pk
    again.refresh_from_db()
    assert (again.rating, again.would_recommend, again.comments, again.new_contacts) == (2, False, "Hm", 0)
    assert list(again.sectors_connected.all()) == []
    assert again.submitted_at == feedback.submitted_at  # the edit week runs from the first answer
    assert Feedback.objects.filter(registration=attendee).count() == 1


def test_the_database_allows_one_response_per_attendee(attendee):
    FeedbackFactory(registration=attendee)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackFactory(registration=attendee)


@pytest.mark.parametrize(
    "make",
    [
        lambda e: no_show(e),
        lambda e: RegistrationFactory(event=e, status=Registration.Status.CONFIRMED),  # not marked
        lambda e: RegistrationFactory(event=e, status=Registration.Status.WAITLISTED),
        lambda e: RegistrationFactory(event=e, status=Registration.Status.CANCELLED),
    ],
    ids=["no-show", "unmarked", "waitlisted", "cancelled"],
)
def test_only_attendees_give_feedback(event, make):
    registration = make(event)
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(registration=registration, **ANSWERS)
    assert error.value.message_dict == {"registration": [services.FEEDBACK_NOT_ATTENDED]}
    with pytest.raises(ValidationError):
        services.feedback_request_create(registration=registration)
    assert not Feedback.objects.exists()


def test_feedback_can_be_changed_for_a_week_after_the_first_answer(attendee):
    feedback, _ = services.feedback_submit(registration=attendee, **ANSWERS)
    Feedback.objects.filter(pk=feedback.pk).update(submitted_at=timezone.now() - timedelta(days=6, hours=23))
    services.feedback_submit(registration=attendee, rating=3, would_recommend=True)
    Feedback.objects.filter(pk=feedback.pk).update(submitted_at=timezone.now() - timedelta(days=7, seconds=1))
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(registration=attendee, rating=1, would_recommend=False)
    assert error.value.message_dict == {"feedback": [services.FEEDBACK_EDIT_CLOSED]}
    feedback.refresh_from_db()
    assert feedback.rating == 3


def test_answers_are_checked(attendee):
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(
            registration=attendee, rating=6, would_recommend=True, new_contacts=201, comments="x" * 2001
        )
    assert error.value.message_dict == {
        "rating": [services.RATING_RANGE],
        "new_contacts": [services.NEW_CONTACTS_RANGE],
        "comments": [services.TEXT_TOO_LONG],
    }
    for rating in (0, True, "5"):
        with pytest.raises(ValidationError):
            services.feedback_submit(registration=attendee, rating=rating, would_recommend=True)
    assert not Feedback.objects.exists()


def test_the_link_answers_for_its_own_registration_only(event, practitioner, other_practitioner):
    mine, theirs = attended(event, practitioner), attended(event, other_practitioner)
    my_request, my_token = services.feedback_request_create(registration=mine)
    _, their_token = services.feedback_request_create(registration=theirs)

    assert feedback_request_get_by_token(token=my_token) == my_request
    assert feedback_request_get_by_token(token=my_token[:-1]) is None
    assert feedback_request_get_by_token(token=my_token.upper() if my_token.upper() != my_token else "x") is None
    assert feedback_request_get_by_token(token="") is None
    assert feedback_request_get_by_token(token="a" * 500) is None

    feedback, _ = services.feedback_submit_with_link(feedback_request=my_request, rating=5, would_recommend=True)
    assert feedback.registration == mine
    assert not Feedback.objects.filter(registration=theirs).exists()
    assert feedback_request_get_by_token(token=their_token).registration == theirs


def test_the_link_expires_after_thirty_days_unless_in_the_edit_week(attendee):
    request, _ = services.feedback_request_create(registration=attendee)
    FeedbackRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    request.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.feedback_submit_with_link(feedback_request=request, **ANSWERS)
    assert error.value.message_dict == {"feedback": [services.FEEDBACK_LINK_EXPIRED]}

    # Answered on the 29th day: the link keeps working for the week of editing.
    feedback = FeedbackFactory(registration=attendee, submitted_at=timezone.now() - timedelta(days=2))
    updated, created = services.feedback_submit_with_link(feedback_request=request, rating=1, would_recommend=False)
    assert not created and updated.pk == feedback.pk and updated.rating == 1
    Feedback.objects.filter(pk=feedback.pk).update(submitted_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError):
        services.feedback_submit_with_link(feedback_request=request, **ANSWERS)


def test_an_expired_link_can_be_ended_early_by_staff(attendee):
    request, _ = services.feedback_request_create(registration=attendee)
    services.feedback_request_expire(feedback_request=request)
    assert not services.feedback_link_usable(feedback_request=request, feedback=None)


def test_quotes_need_consent_and_an_answer(attendee, coordinator):
    feedback, _ = services.feedback_submit(
        registration=attendee, rating=5, would_recommend=True, most_useful="Meeting the kinder teachers."
    )
    with pytest.raises(ValidationError) as error:
        services.feedback_quote_select(feedback=feedback, quote_field="most_useful", by=coordinator)
    assert error.value.message_dict == {"quote_field": [services.QUOTE_NEEDS_CONSENT]}

    services.feedback_submit(
        registration=attendee,
        rating=5,
        would_recommend=True,
        most_useful="Meeting the kinder teachers.",
        consent_quote=True,
    )
    with pytest.raises(ValidationError) as error:
        services.feedback_quote_select(feedback=feedback, quote_field="comments", by=coordinator)
    assert error.value.message_dict == {"quote_field": [services.QUOTE_EMPTY]}
    with pytest.raises(ValidationError):
        services.feedback_quote_select(feedback=feedback, quote_field="rating", by=coordinator)

    quoted = services.feedback_quote_select(feedback=feedback, quote_field="most_useful", by=coordinator)
    assert quoted.quote == "Meeting the kinder teachers." and quoted.quote_selected_by == coordinator


def test_withdrawing_consent_unpicks_the_quote(attendee, coordinator):
    feedback, _ = services.feedback_submit(
        registration=attendee, rating=5, would_recommend=True, comments="Brilliant.", consent_quote=True
    )
    services.feedback_quote_select(feedback=feedback, quote_field="comments", by=coordinator)
    services.feedback_submit(registration=attendee, rating=5, would_recommend=True, comments="Brilliant.")
    feedback.refresh_from_db()
    assert (feedback.quote_field, feedback.quote_selected_by) == ("", None)


def test_emptying_the_quoted_answer_unpicks_the_quote(attendee, coordinator):
    feedback, _ = services.feedback_submit(
        registration=attendee, rating=5, would_recommend=True, comments="Brilliant.", consent_quote=True
    )
    services.feedback_quote_select(feedback=feedback, quote_field="comments", by=coordinator)
    services.feedback_submit(registration=attendee, rating=5, would_recommend=True, consent_quote=True)
    feedback.refresh_from_db()
    assert feedback.quote_field == ""


def test_the_database_refuses_a_quote_without_consent(attendee):
    feedback = FeedbackFactory(registration=attendee, consent_quote=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=feedback.pk).update(quote_field="most_useful")


def test_feedback_stays_when_the_account_is_deleted(attendee, practitioner):
    FeedbackFactory(registration=attendee, rating=5)
    user_delete_account(user=practitioner)
    feedback = Feedback.objects.get()
    assert feedback.registration.user is None and feedback.rating == 5


def test_a_walk_in_marked_attended_is_invited(event, coordinator, django_capture_on_commit_callbacks):
    walker = UserFactory(email="walker@example.org")
    registration = RegistrationFactory(event=event, user=walker, status=Registration.Status.CONFIRMED)
    attendance_mark(registration=registration, attended=True, by=coordinator)
    finalise(event, coordinator, django_capture_on_commit_callbacks)
    assert [m.to for m in feedback_mails()] == [["walker@example.org"]]


def test_the_invitation_to_an_event_in_the_past_says_when_it_was(partnership, practitioner):
    event = past_event(partnership, local(2025, 3, 5), title="Child safety")
    registration = attended(event, practitioner)
    message = services.feedback_invite(registration=registration)
    assert "Wednesday 5 March 2025" in message.body_text
    assert message.reply_to == partnership.contact_email
