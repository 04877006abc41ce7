"""Programmes and their rules, contributions reported by the other apps, and the ledger.

The ledger is double-entry and append-only: every entry moves an amount from one account to
another, corrections are reversing entries, and no entry is ever changed or removed (refused
by PostgreSQL triggers, and by the model layer on every database). Approvals, payouts and the
history of rule changes are records of who did what and when, append-only in the same way.
"""

import hashlib
import secrets
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incentives import reasons
from network.models import Cluster, Organization

MONEY = {"max_digits": 14, "decimal_places": 2}
CREDIT_IN_OWN_PROGRAMME = "A contribution is credited only in its own programme."
APPEND_ONLY = "Rows of this table are append-only; add a new row (a reversing entry) instead."


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes: the rows are a record, written once (PostgreSQL triggers agree)."""

    def update(self, **kwargs):
        raise TypeError(APPEND_ONLY)

    def delete(self):
        raise TypeError(APPEND_ONLY)


class AppendOnlyModel(models.Model):
    """Inserted once, never saved again nor deleted, on every database."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        # Related lookups and refresh_from_db use the base manager: the same refusals hold.
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(APPEND_ONLY)
        # Always an INSERT: an instance given the id of an existing row must not overwrite it.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(APPEND_ONLY)


class Programme(models.Model):
    """An agency's scheme that pays members of some clusters for sharing know-how."""

    class Unit(models.TextChoices):
        POINTS = "points", _("points")
        USD = "USD", "USD"
        EUR = "EUR", "EUR"
        BRL = "BRL", "BRL"
        COP = "COP", "COP"
        MXN = "MXN", "MXN"
        PEN = "PEN", "PEN"
        UYU = "UYU", "UYU"
        CLP = "CLP", "CLP"
        ARS = "ARS", "ARS"

    class Kind(models.TextChoices):
        MENTORING = "mentoring", _("Mentoring incentives")
        TRAINING = "training", _("Training and capacity building")
        INNOVATION = "innovation", _("Innovation support")
        EXPORT_CREDIT = "export_credit", _("Export credit and finance")
        PROMOTION = "promotion", _("Trade promotion")

    agency = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="programmes",
        limit_choices_to={"kind": Organization.Kind.AGENCY},
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind, default=Kind.MENTORING)
    # Other agencies sponsoring the same clusters always see the name, kind, dates and
    # activities; the budget and what was credited only when the agency says so.
    share_figures = models.BooleanField(_("share figures with co-sponsors"), default=False)
    clusters = models.ManyToManyField(
        Cluster, related_name="programmes", verbose_name=_("clusters")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    unit = models.CharField(_("unit"), max_length=6, choices=Unit, default=Unit.POINTS)
    budget = models.DecimalField(
        _("budget"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    cap_per_member_month = models.DecimalField(
        _("cap per member per month"), **MONEY, null=True, blank=True
    )
    cap_per_pair_month = models.DecimalField(
        _("cap per mentor and follower pair per month"), **MONEY, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="programme_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incentives:programme", args=[self.pk])


class ContributionKind(models.TextChoices):
    SESSION_HELD = "session_held", _("One-to-one session held")
    GROUP_SESSION = "group_session", _("Group session hosted")
    ACCEPTED_ANSWER = "accepted_answer", _("Accepted answer")
    USEFUL_POST = "useful_post", _("Post marked useful by a coordinator")
    GUIDE_PUBLISHED = "guide_published", _("Guide published")
    GUIDE_USEFUL = "guide_useful", _("Guide marked useful")
    # Once per person, ever: a follower who became a mentor, or anyone's first mentee.
    FIRST_PAIRING = "first_pairing", _("A mentor's first pairing started")


# Kinds reported with the person helped (the follower, the asker, the reader) or, for group
# sessions, with the attendees' own confirmations. The others have nobody helped to confirm
# them: only a coordinator can.
CONFIRMED_BY_COUNTERPART = {
    ContributionKind.SESSION_HELD,
    ContributionKind.GROUP_SESSION,
    ContributionKind.ACCEPTED_ANSWER,
    ContributionKind.GUIDE_USEFUL,
    ContributionKind.FIRST_PAIRING,
}


class Rule(models.Model):
    """What one kind of contribution earns in a programme, and who must confirm it."""

    class Confirmer(models.TextChoices):
        COUNTERPART = "counterpart", _("the person helped")
        COORDINATOR = "coordinator", _("a coordinator of the cluster")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="rules", db_index=False
    )
    kind = models.CharField(_("contribution"), max_length=20, choices=ContributionKind)
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    confirmer = models.CharField(_("confirmed by"), max_length=12, choices=Confirmer)
    min_attendees = models.PositiveSmallIntegerField(
        _("confirmed attendees at least"),
        default=0,
        help_text=_("For group sessions: how many attendees must confirm."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="one_rule_per_kind"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="rule_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class RuleChange(AppendOnlyModel):
    """A rule as an officer set it, with who and when: the history auditors read."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="changes")
    amount = models.DecimalField(_("amount"), **MONEY)
    confirmer = models.CharField(_("confirmed by"), max_length=12, choices=Rule.Confirmer)
    min_attendees = models.PositiveSmallIntegerField(_("confirmed attendees at least"))
    is_active = models.BooleanField(_("active"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        ordering = ["-changed_at", "-id"]
        triggers = [
            pgtrigger.Protect(
                name="rule_changes_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} by {self.changed_by_id} at {self.changed_at}"


class Contribution(models.Model):
    """Something a member did that may earn a credit, as another app reported it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        REVIEW = "review", _("Held for review")
        CREDITED = "credited", _("Credited")
        CAPPED = "capped", _("Credited up to a cap")
        REJECTED = "rejected", _("Not credited")

    DECIDED = (Status.CREDITED, Status.CAPPED, Status.REJECTED)

    kind = models.CharField(max_length=20, choices=ContributionKind)
    # "app.model:pk" of what happened; with kind and actor, unique: credited once at most
    # (a guide's co-authors each have their own contribution for the same guide).
    source = models.CharField(max_length=120)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        db_index=False,
    )
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions_received",
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="contributions", db_index=False
    )
    title = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=300, blank=True)
    hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    attendees = models.PositiveSmallIntegerField(default=0)
    occurred_at = models.DateTimeField()
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    amount = models.DecimalField(**MONEY, default=0)
    # The reporting app's or a coordinator's own words, or the English of `reason_code`.
    reason = models.CharField(max_length=300, blank=True)
    # Why crediting capped or refused it, explained in the reader's language (reasons.py).
    reason_code = models.CharField(max_length=20, blank=True)
    reason_data = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "actor"], name="one_contribution_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["actor", "status"]),
            models.Index(fields=["cluster", "status"]),
            models.Index(fields=["programme", "status", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor} ({self.status})"

    @property
    def reason_text(self) -> str:
        """Why it was capped, refused or reversed, in the active language."""
        if self.reason_code:
            return reasons.explain(self.reason_code, self.reason_data)
        return self.reason


class Account(models.Model):
    """A programme's own account, or one member's account in a programme."""

    class Kind(models.TextChoices):
        FUNDING = "funding", _("Funding")  # where the budget comes from
        PROGRAMME = "programme", _("Programme")  # the budget not yet credited
        MEMBER = "member", _("Member")  # credits earned, not yet paid
        PAID = "paid", _("Paid out")  # what left the programme as payments

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=10, choices=Kind)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incentive_accounts",
    )
    # Kept in the same transaction as each entry; `reconcile` proves it equals the entries.
    balance = models.DecimalField(**MONEY, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "member"],
                condition=Q(member__isnull=False),
                name="one_account_per_member",
            ),
            models.UniqueConstraint(
                fields=["programme", "kind"],
                condition=Q(member__isnull=True),
                name="one_programme_account_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="member", member__isnull=False)
                | (~Q(kind="member") & Q(member__isnull=True)),
                name="member_accounts_name_a_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id or ''} in {self.programme_id}"


class LedgerEntry(AppendOnlyModel):
    """An amount moved from one account to another; never changed, only reversed."""

    class Kind(models.TextChoices):
        FUNDING = "funding", _("Budget funded")
        CREDIT = "credit", _("Credit")
        REVERSAL = "reversal", _("Reversal")
        PAYOUT = "payout", _("Payout")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits")
    amount = models.DecimalField(**MONEY)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    payout = models.OneToOneField(
        "Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    memo = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit=models.F("credit")), name="entry_between_two_accounts"
            ),
            # One credit per contribution, however many confirmations race.
            models.UniqueConstraint(
                fields=["contribution"],
                condition=Q(kind="credit"),
                name="one_credit_per_contribution",
            ),
        ]
        indexes = [models.Index(fields=["programme", "created_at"])]
        triggers = [
            pgtrigger.Protect(
                name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            # No double funding: however the row arrives, a contribution's entries are in
            # its own programme; with `one_credit_per_contribution`, one credit at most.
            pgtrigger.Trigger(
                name="credit_in_own_programme",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                condition=pgtrigger.Q(new__contribution__isnull=False),
                func=(
                    "IF NOT EXISTS (SELECT 1 FROM incentives_contribution c "
                    "WHERE c.id = NEW.contribution_id AND c.programme_id = NEW.programme_id) "
                    f"THEN RAISE EXCEPTION '{CREDIT_IN_OWN_PROGRAMME}' USING ERRCODE = '23514'; "
                    "END IF; RETURN NEW;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} #{self.pk}"

    def save(self, *args, **kwargs):
        # No double funding: a contribution's credit (and its reversal) is posted in the
        # contribution's own programme, never another's (a PostgreSQL trigger agrees).
        if self._state.adding and self.contribution_id is not None:
            own = Contribution.objects.filter(pk=self.contribution_id).values_list(
                "programme_id", flat=True
            )
            if list(own) != [self.programme_id]:
                raise IntegrityError(CREDIT_IN_OWN_PROGRAMME)
        super().save(*args, **kwargs)


class PeriodApproval(AppendOnlyModel):
    """An officer's approval of one month's credits in a programme; credits stay as they are."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="approvals", db_index=False
    )
    month = models.DateField(help_text=_("The first day of the month approved."))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    total = models.DecimalField(**MONEY)
    entries = models.PositiveIntegerField()

    class Meta(AppendOnlyModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["programme", "month"], name="one_approval_per_month")
        ]
        triggers = [
            pgtrigger.Protect(
                name="approvals_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.month:%Y-%m}"


class Payout(AppendOnlyModel):
    """Money or points handed to a member for an approved month, with the payment reference."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="payouts", db_index=False
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    month = models.DateField()
    amount = models.DecimalField(**MONEY)
    reference = models.CharField(_("payment reference"), max_length=120)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "member", "month"], name="one_payout_per_member_month"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="payouts_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.member} for {self.month:%Y-%m}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """An agency officer's key to the JSON API; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        key = "pio_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_token_hash(key), prefix=key[:8])
        return token, key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        return (
            cls.objects.select_related("user__profile")
            .filter(key_hash=_token_hash(key), revoked_at__isnull=True)
            .first()
        )


class Referral(models.Model):
    """An officer's suggestion that a firm of their clusters apply to another agency's
    programme (export credit after a first order, say), with a note; the receiving agency
    answers it. Both agencies' officers and the firm's own people follow it."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("referral", "Sent")
        ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
        DECLINED = "declined", pgettext_lazy("referral", "Declined")
        DONE = "done", pgettext_lazy("referral", "Done")

    # Still waiting on the receiving agency: the same firm cannot be referred again meanwhile.
    OPEN = (State.SENT, State.ACCEPTED)

    firm = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("firm"),
        db_index=False,
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("programme")
    )
    referring_agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_sent", db_index=False
    )
    note = models.TextField(_("note"), max_length=1000)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SENT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "programme"],
                condition=Q(state__in=["sent", "accepted"]),
                name="one_open_referral_per_firm_and_programme",
            ),
        ]
        indexes = [
            models.Index(fields=["referring_agency", "-updated_at"]),
            models.Index(fields=["firm", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} → {self.programme_id} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("incentives:referral", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class ReferralEvent(AppendOnlyModel):
    """One step of a referral, with who took it and when: the firm's history reads these.
    What was said (the note, a reason for declining) stays on the referral, where an erased
    member's name can still be scrubbed from it."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    state = models.CharField(max_length=10, choices=Referral.State)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The agency the person acted for: the referring one for "sent", the receiving one after.
    agency = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["at", "id"]
        triggers = [
            pgtrigger.Protect(
                name="referral_events_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.state}"
