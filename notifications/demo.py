"""Demo followers and announcements for `manage.py seed_demo`. Idempotent, and silent (seeding is muted).

practitioner1 follows the Ballarat partnership (every new session), practitioner2 only its sessions on
one topic; the announcements log shows the series announced when it was published and a coordinator's
message. No e-mail is sent: the log rows are what the followers would have been sent.
"""

from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL, practitioner_email
from accounts.models import Partnership, User
from events.models import Event, Topic

from .announcements import follow_set, followers_of, sessions_subject
from .models import Announcement

MESSAGE_SUBJECT = "Parking at the library during the roadworks"
MESSAGE_BODY = (
    "Doveton Street is closed for roadworks until the end of the month. Park behind the library on "
    "Camp Street; the rear entrance has a ramp.\n\nSee you at the next session."
)


@transaction.atomic
def seed(stdout) -> None:
    partnership = Partnership.objects.filter(slug="ballarat").first()
    if partnership is None:
        return
    people = {u.email: u for u in User.objects.filter(email__in=[practitioner_email(1), practitioner_email(2)])}
    if (
        practitioner_email(1) in people
        and not partnership.followers.filter(user=people[practitioner_email(1)]).exists()
    ):
        follow_set(user=people[practitioner_email(1)], partnership=partnership, source="sign-up")
    topic = Topic.objects.filter(events__partnership=partnership).order_by("name").first()
    if (
        practitioner_email(2) in people
        and not partnership.followers.filter(user=people[practitioner_email(2)]).exists()
    ):
        follow_set(user=people[practitioner_email(2)], partnership=partnership, topics=[topic] if topic else [])
    recipients = followers_of(partnership=partnership).count()
    upcoming = list(
        Event.objects.filter(partnership=partnership, status=Event.Status.PUBLISHED, start__gt=timezone.now())
        .select_related("partnership")
        .order_by("start")
    )
    if upcoming and not Announcement.objects.filter(partnership=partnership, kind=Announcement.Kind.SESSIONS).exists():
        Announcement.objects.create(
            partnership=partnership,
            kind=Announcement.Kind.SESSIONS,
            subject=sessions_subject(partnership, upcoming),
            event_ids=[e.pk for e in upcoming],
            recipients=recipients,
        )
    if not Announcement.objects.filter(partnership=partnership, subject=MESSAGE_SUBJECT).exists():
        Announcement.objects.create(
            partnership=partnership,
            kind=Announcement.Kind.MESSAGE,
            sent_by=User.objects.filter(email=COORDINATOR_EMAIL).first(),
            subject=MESSAGE_SUBJECT,
            body=MESSAGE_BODY,
            recipients=recipients,
        )
    stdout.write(
        f"Followers: {recipients} follow {partnership.name}; "
        f"{partnership.announcements.count()} announcements in its log (/manage/ballarat/announcements/)."
    )
