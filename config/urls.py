from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from events import views as event_views

from .api import api

urlpatterns = [
    path("", event_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("partnerships/<slug:slug>/", account_views.partnership_detail, name="partnership-detail"),
    path("manage/", account_views.manage, name="manage"),
    path("manage/<slug:slug>/", account_views.manage_partnership, name="manage-partnership"),
    path("", include("events.urls")),
    path("", include("registrations.urls")),
    path("", include("referrals.urls")),
    path("", include("notifications.urls")),
    path("", include("certificates.urls")),
    path("", include("networking.urls")),
    path("", include("reporting.urls")),
    path("", include("resources.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
