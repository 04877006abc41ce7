"""Django admin for every network model, for staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from network.models import (
    Cluster,
    ExportMarket,
    ExportProduct,
    Invitation,
    InvitationBatch,
    Membership,
    MembershipEvent,
    Organization,
    Profile,
    Sponsorship,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "profile__display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "organization", "time_zone"]
    search_fields = ["display_name", "user__email"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]


class ExportProductInline(admin.TabularInline):
    model = ExportProduct
    extra = 0


class ExportMarketInline(admin.TabularInline):
    model = ExportMarket
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "size", "sector", "first_export_year"]
    list_filter = ["kind", "size", "sector"]
    search_fields = ["name"]
    inlines = [ExportProductInline, ExportMarketInline]


@admin.register(ExportProduct)
class ExportProductAdmin(admin.ModelAdmin):
    list_display = ["hs_code", "organization", "status"]
    search_fields = ["hs_code", "organization__name"]
    raw_id_fields = ["organization"]


@admin.register(ExportMarket)
class ExportMarketAdmin(admin.ModelAdmin):
    list_display = ["country", "organization"]
    search_fields = ["organization__name"]
    raw_id_fields = ["organization"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    # Status changes go through the services, which keep counters and tell people.
    readonly_fields = ["status"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "country", "visibility", "active_member_count"]
    list_filter = ["visibility", "sector"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "cluster", "role", "status", "updated_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "cluster__name"]
    list_select_related = ["user", "cluster"]
    raw_id_fields = ["user", "cluster"]
    readonly_fields = ["status"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cluster", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "cluster__name"]
    raw_id_fields = ["cluster", "invited_by", "accepted_by"]


@admin.register(InvitationBatch)
class InvitationBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cluster", "file_name", "created_by", "sent_at"]
    search_fields = ["cluster__name", "file_name"]
    raw_id_fields = ["cluster", "created_by", "sent_by"]
    readonly_fields = ["rows", "problems"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cluster", "action", "actor", "subject", "email"]
    list_filter = ["action"]
    search_fields = ["cluster__name", "email"]
    raw_id_fields = ["cluster", "actor", "subject"]

    def has_change_permission(self, request, obj=None):
        return False  # the trail is read-only


@admin.register(Sponsorship)
class SponsorshipAdmin(admin.ModelAdmin):
    list_display = ["cluster", "agency", "status", "created_at", "decided_at", "revoked_at"]
    list_filter = ["status"]
    search_fields = ["cluster__name", "agency__name"]
    list_select_related = ["cluster", "agency"]

    # An agreement between two sides, made and ended by them through network.services.sponsorships.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
