from django.urls import path

from . import feeds, views

urlpatterns = [
    path("calendar/<slug:slug>.ics", feeds.partnership_feed, name="partnership-feed"),
    path("calendar/me/<str:token>.ics", feeds.personal_feed, name="personal-feed"),
    path("calendar/coordinator/<str:token>.ics", feeds.coordinator_feed, name="coordinator-feed"),
    path("events/<int:event_id>.ics", feeds.event_ics, name="event-ics"),
    path("my/calendar/", views.calendar_settings, name="calendar-settings"),
    path("my/calendar/reset/<str:kind>/", views.calendar_reset, name="calendar-reset"),
    path("my/calendar/invites/", views.calendar_invites, name="calendar-invites"),
    path("my/cancel-place/<str:token>/", views.cancel_place, name="cancel-place"),
    path("manage/<slug:slug>/events/<int:event_id>/messages/", views.message_log, name="message-log"),
    path("manage/<slug:slug>/messages/<int:message_id>/retry/", views.message_retry, name="message-retry"),
    path("my/following/", views.following, name="following"),
    path("my/following/<slug:slug>/stop/", views.follow_stop, name="follow-stop"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/<slug:slug>/announcements/", views.announcements, name="announcements"),
]
