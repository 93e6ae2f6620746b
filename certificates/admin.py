from django.contrib import admin

from .models import Certificate, CertificateBatch


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "recipient_name", "event_title", "cpd_hours", "status", "issued_at"]
    list_filter = ["status"]
    search_fields = ["code", "recipient_name", "event_title"]
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):
        return False  # issued from the session's certificates page, which renders the PDF


@admin.register(CertificateBatch)
class CertificateBatchAdmin(admin.ModelAdmin):
    list_display = ["event", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in CertificateBatch._meta.fields]
