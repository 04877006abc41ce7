"""Guides in the admin: for staff to look into, not to edit around the services."""

from django.contrib import admin

from guides.models import CorrectionSuggestion, Guide, GuideVersion, ReviewComment


class VersionInline(admin.TabularInline):
    model = GuideVersion
    fields = ["number", "title", "published_by", "published_at", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "cluster", "status", "visibility", "check_by", "useful_count"]
    list_filter = ["status", "visibility", "language"]
    search_fields = ["title"]
    raw_id_fields = ["cluster", "authors", "current_version", "promoted_from", "created_by"]
    readonly_fields = ["useful_count", "reminded_for", "published_at"]
    inlines = [VersionInline]


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["guide", "author", "action", "created_at"]
    raw_id_fields = ["guide", "author"]


@admin.register(CorrectionSuggestion)
class CorrectionSuggestionAdmin(admin.ModelAdmin):
    list_display = ["guide", "author", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["guide", "version", "author", "resolved_by"]
