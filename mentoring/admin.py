"""Django admin for the mentoring models, for staff."""

from django.contrib import admin

from mentoring.models import (
    CalendarFeed,
    ExportRecord,
    Goal,
    MentoringNeeds,
    MentorOffer,
    Pairing,
    Session,
)


@admin.register(MentorOffer)
class MentorOfferAdmin(admin.ModelAdmin):
    list_display = ["user", "cluster", "capacity", "active_mentees", "is_paused"]
    list_filter = ["is_paused"]
    search_fields = ["user__email", "cluster__name"]
    raw_id_fields = ["user", "cluster"]


@admin.register(MentoringNeeds)
class MentoringNeedsAdmin(admin.ModelAdmin):
    list_display = ["user", "stage", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["mentor", "follower", "cluster", "status", "origin", "created_at"]
    list_filter = ["status", "origin"]
    search_fields = ["mentor__email", "follower__email"]
    raw_id_fields = ["cluster", "offer", "mentor", "follower", "proposed_by", "closed_by"]
    # Status and places move together through the services; the admin only looks.
    readonly_fields = ["conversation", "status", "started_at", "closed_at"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "outcome", "status", "year"]
    list_filter = ["outcome", "status"]
    raw_id_fields = ["pairing", "organization", "met_by", "created_by"]


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "hs_code", "country", "value_band"]
    list_filter = ["year"]
    raw_id_fields = ["organization", "recorded_by"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "cluster", "starts_at", "status", "held_confirmed_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["cluster", "pairing", "host"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
