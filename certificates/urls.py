from django.urls import path

from . import views

urlpatterns = [
    path("my/sessions/", views.my_sessions, name="my-sessions"),  # registrations' page, with certificates
    path("certificates/verify/", views.lookup, name="certificate-lookup"),
    path("certificates/verify/<str:code>/", views.verify, name="certificate-verify"),
    path("certificates/verify/<str:code>.json", views.verify_json, name="certificate-verify-json"),
    path("certificates/<str:code>/badge.json", views.badge, name="certificate-badge"),
    path("my/certificates/<str:code>.pdf", views.my_certificate, name="my-certificate"),
    path("my/cpd/", views.statement, name="cpd-statement"),
    path("manage/<slug:slug>/events/<int:event_id>/certificates/", views.event_certificates, name="event-certificates"),
    path(
        "manage/<slug:slug>/events/<int:event_id>/certificates/issue/",
        views.event_certificates_issue,
        name="event-certificates-issue",
    ),
    path(
        "manage/<slug:slug>/events/<int:event_id>/certificates.zip",
        views.event_certificates_zip,
        name="event-certificates-zip",
    ),
    path(
        "manage/<slug:slug>/events/<int:event_id>/certificates.pdf",
        views.event_certificates_pdf,
        name="event-certificates-pdf",
    ),
    path(
        "manage/<slug:slug>/certificate-batches/<int:batch_id>/",
        views.batch_progress,
        name="certificate-batch-progress",
    ),
    path(
        "manage/<slug:slug>/registrations/<int:registration_id>/certificate/",
        views.registration_certificate,
        name="registration-certificate",
    ),
    path("manage/<slug:slug>/certificates/<str:code>/revoke/", views.certificate_revoke, name="certificate-revoke"),
]
