from django.contrib import admin

from core.models import SentEmail


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "template", "key"]
    search_fields = ["key"]

    def has_change_permission(self, request, obj=None):
        return False  # a record of what went out
