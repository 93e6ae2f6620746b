from django.urls import path

from . import views

REPORTS = "manage/<slug:slug>/reports/"

urlpatterns = [
    path(REPORTS, views.dashboard, name="reports-dashboard"),
    path(f"{REPORTS}report.pdf", views.report_pdf, name="reports-pdf"),
    path(f"{REPORTS}<slug:table>.csv", views.report_csv, name="reports-csv"),
    path(f"{REPORTS}feedback/", views.feedback_list, name="reports-feedback"),
    path(f"{REPORTS}feedback/<int:feedback_id>/quote/", views.feedback_quote, name="feedback-quote"),
    path("feedback/<str:token>/", views.feedback_answer, name="feedback-answer"),
]
