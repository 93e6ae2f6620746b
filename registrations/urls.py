from django.urls import path

from . import views

urlpatterns = [
    path("events/<int:event_id>/", views.event_detail, name="event-detail"),
    path("events/<int:event_id>/register/", views.register, name="register"),
    path("events/<int:event_id>/attendees/", views.attendees, name="attendees"),
    path("registrations/<int:registration_id>/cancel/", views.registration_cancel, name="registration-cancel"),
    path("registrations/<int:registration_id>/details/", views.registration_details, name="registration-details"),
    path("offers/<str:token>/accept/", views.offer_respond, {"action": "accept"}, name="offer-accept"),
    path("offers/<str:token>/decline/", views.offer_respond, {"action": "decline"}, name="offer-decline"),
    path("accounts/data/", views.my_data, name="my-data"),
    path("accounts/delete/", views.delete_account, name="delete-account"),
    path("manage/<slug:slug>/events/<int:event_id>/roster/", views.roster, name="roster"),
    path("manage/<slug:slug>/events/<int:event_id>/roster/walk-in/", views.roster_walk_in, name="roster-walk-in"),
    path("manage/<slug:slug>/events/<int:event_id>/roster/capacity/", views.roster_capacity, name="roster-capacity"),
    path("manage/<slug:slug>/events/<int:event_id>/roster/finalise/", views.roster_finalise, name="roster-finalise"),
    path("manage/<slug:slug>/events/<int:event_id>/check-in/", views.check_in, name="check-in"),
    path(
        "manage/<slug:slug>/registrations/<int:registration_id>/attendance/",
        views.roster_attendance,
        name="roster-attendance",
    ),
    path(
        "manage/<slug:slug>/registrations/<int:registration_id>/check-in/undo/",
        views.check_in_undo,
        name="check-in-undo",
    ),
    path("manage/<slug:slug>/registrations/<int:registration_id>/top/", views.roster_top, name="roster-top"),
]
