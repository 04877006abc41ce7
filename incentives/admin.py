"""Django admin for incentives: a window on the records, changed only through the services.

Programmes, rules, budgets and decisions are made on the officers' and coordinators' pages,
which keep the ledger, the rule history and who-did-what; an edit here would bypass them.
"""

from django.contrib import admin

from incentives.models import (
    Contribution,
    LedgerEntry,
    Payout,
    PeriodApproval,
    Programme,
    Rule,
    RuleChange,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "agency", "starts_on", "ends_on", "unit", "budget"]
    inlines = [RuleInline]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "actor", "cluster", "status", "amount", "occurred_at"]
    list_filter = ["status", "kind"]


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdmin):
    list_display = ["rule", "amount", "confirmer", "is_active", "changed_by", "changed_at"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "programme", "kind", "debit", "credit", "amount", "created_at"]
    list_filter = ["kind"]


@admin.register(PeriodApproval)
class PeriodApprovalAdmin(ReadOnlyAdmin):
    list_display = ["programme", "month", "total", "approved_by", "approved_at"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["programme", "member", "month", "amount", "reference", "paid_at"]
