"""Django admin for incentives, read-only where the ledger is concerned."""

from django.contrib import admin

from incentives.models import Contribution, LedgerEntry, Payout, Programme, Rule


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "starts_on", "ends_on", "unit", "budget"]
    inlines = [RuleInline]
    raw_id_fields = ["agency", "created_by"]
    filter_horizontal = ["clusters"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["kind", "actor", "cluster", "status", "amount", "occurred_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["actor", "counterpart", "cluster", "programme", "confirmed_by", "decided_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "programme", "kind", "debit", "credit", "amount", "created_at"]
    list_filter = ["kind"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["programme", "member", "month", "amount", "reference", "paid_at"]
