"""The one door other apps use to report contributions, and how contributions get credited.

Other apps call `record_contribution` (and `confirm_contribution` when the person helped
confirms later); incentives never reads their tables. Crediting happens under a lock on the
programme row, so caps and the budget hold under concurrent confirmations, and the database
allows one credit entry per contribution.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Model, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives import flags, ledger
from incentives.errors import IncentiveError, NotAllowed
from incentives.models import Account, Contribution, ContributionKind, LedgerEntry, Programme, Rule
from network.models import Cluster, Membership, User

Status = Contribution.Status
ZERO = Decimal("0")


def source_label(source: Model | str) -> str:
    if isinstance(source, str):
        return source
    return f"{source._meta.label_lower}:{source.pk}"


def _rule_for(kind: str, cluster: Cluster, day: datetime.date) -> Rule | None:
    return (
        Rule.objects.select_related("programme")
        .filter(
            kind=kind,
            is_active=True,
            programme__clusters=cluster,
            programme__starts_on__lte=day,
            programme__ends_on__gte=day,
        )
        .order_by("programme_id")
        .first()
    )


def is_coordinator(user: User, cluster_id: int) -> bool:
    return Membership.objects.filter(
        user=user,
        cluster_id=cluster_id,
        role=Membership.Role.COORDINATOR,
        status=Membership.Status.ACTIVE,
    ).exists()


@transaction.atomic
def record_contribution(
    *,
    kind: str,
    actor: User,
    cluster: Cluster,
    source: Model | str,
    counterpart: User | None = None,
    confirmed_by: User | None = None,
    occurred_at: datetime.datetime | None = None,
    title: str = "",
    url: str = "",
    hours: Decimal | float = 0,
    attendees: int = 0,
) -> Contribution | None:
    """Report that `actor` did something in `cluster`; None when no programme rewards it.

    Reporting the same source again never makes a second contribution: it may add the
    confirmation or the attendee count the first report lacked.
    """
    if kind not in ContributionKind.values:
        raise ValueError(f"Unknown contribution kind {kind!r}")
    occurred_at = occurred_at or timezone.now()
    rule = _rule_for(kind, cluster, timezone.localtime(occurred_at).date())
    if rule is None:
        return None
    label = source_label(source)
    try:
        with transaction.atomic():
            contribution, _created = Contribution.objects.get_or_create(
                kind=kind,
                source=label,
                actor=actor,
                defaults={
                    "counterpart": counterpart,
                    "cluster": cluster,
                    "programme": rule.programme,
                    "title": title[:200],
                    "url": url[:300],
                    "hours": Decimal(str(hours)).quantize(Decimal("0.01")),
                    "attendees": attendees,
                    "occurred_at": occurred_at,
                },
            )
    except IntegrityError:
        # A racing report of the same source created it first.
        contribution = Contribution.objects.get(kind=kind, source=label, actor=actor)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status != Status.PENDING:
        return contribution
    if attendees > contribution.attendees:
        contribution.attendees = attendees
        contribution.save(update_fields=["attendees"])
    if confirmed_by is not None and _may_confirm(rule, contribution, confirmed_by):
        _confirm(contribution, confirmed_by)
    _settle_if_ready(contribution, rule)
    return contribution


def _may_confirm(rule: Rule, contribution: Contribution, user: User) -> bool:
    if rule.confirmer == Rule.Confirmer.COORDINATOR:
        return is_coordinator(user, contribution.cluster_id) and user.pk != contribution.actor_id
    return contribution.counterpart_id is not None and user.pk == contribution.counterpart_id


def _confirm(contribution: Contribution, by: User) -> None:
    if contribution.confirmed_at is None:
        contribution.confirmed_by = by
        contribution.confirmed_at = timezone.now()
        contribution.save(update_fields=["confirmed_by", "confirmed_at"])


def _ready(rule: Rule, contribution: Contribution) -> bool:
    if (
        rule.kind == ContributionKind.GROUP_SESSION
        and rule.confirmer == Rule.Confirmer.COUNTERPART
    ):
        # Attendees' own confirmations are what confirm a group session.
        return contribution.attendees >= max(rule.min_attendees, 1)
    return contribution.confirmed_at is not None


def _settle_if_ready(contribution: Contribution, rule: Rule) -> None:
    if not _ready(rule, contribution):
        return
    if rule.kind == ContributionKind.GROUP_SESSION and contribution.attendees < rule.min_attendees:
        return
    _settle(contribution, rule, by=contribution.confirmed_by)


@transaction.atomic
def confirm_contribution(*, contribution: Contribution, by: User) -> Contribution:
    """The person helped, or a coordinator where the rule says so, confirms."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    rule = Rule.objects.get(programme=contribution.programme, kind=contribution.kind)
    if not _may_confirm(rule, contribution, by):
        raise NotAllowed(
            gettext_lazy(
                "Only the person helped, or a coordinator where the rule says so, confirms this."
            )
        )
    if contribution.status != Status.PENDING:
        raise IncentiveError(gettext_lazy("This contribution is already decided."))
    _confirm(contribution, by)
    _settle_if_ready(contribution, rule)
    return contribution


def _credited(query) -> Decimal:
    return (
        query.filter(status__in=[Status.CREDITED, Status.CAPPED]).aggregate(t=Sum("amount"))["t"]
        or ZERO
    )


def _month_of(contribution: Contribution) -> Q:
    start, end = ledger.month_bounds(timezone.localtime(contribution.occurred_at).date())
    return Q(occurred_at__gte=start, occurred_at__lt=end)


def _same_organization(contribution: Contribution) -> bool:
    if contribution.counterpart_id is None:
        return False
    organizations = set(
        User.objects.filter(
            pk__in=[contribution.actor_id, contribution.counterpart_id]
        ).values_list("profile__organization_id", flat=True)
    )
    return len(organizations) == 1 and None not in organizations


def _decide(contribution: Contribution, status: str, *, amount=ZERO, reason="", by=None) -> None:
    contribution.status = status
    contribution.amount = amount
    contribution.reason = str(reason)[:300]
    contribution.decided_by = by
    contribution.decided_at = timezone.now()
    contribution.save(update_fields=["status", "amount", "reason", "decided_by", "decided_at"])


def _settle(contribution: Contribution, rule: Rule, *, by: User | None, reviewed: bool = False):
    """Credit, cap or reject: the programme row is locked so caps and budget hold."""
    programme = Programme.objects.select_for_update().get(pk=rule.programme_id)
    if _same_organization(contribution):
        _decide(
            contribution,
            Status.REJECTED,
            reason=_("No credit between people of the same organization."),
            by=by,
        )
        return
    if not reviewed:
        found = flags.detect(contribution)
        if found:
            contribution.flags = found
            contribution.status = Status.REVIEW
            contribution.save(update_fields=["flags", "status"])
            return
    in_programme = Contribution.objects.filter(programme=programme).exclude(pk=contribution.pk)
    limits = [(rule.amount, "")]
    if programme.cap_per_member_month is not None:
        earned = _credited(in_programme.filter(_month_of(contribution), actor=contribution.actor))
        limits.append(
            (programme.cap_per_member_month - earned, _("the monthly cap per member is reached"))
        )
    if programme.cap_per_pair_month is not None and contribution.counterpart_id:
        pair = in_programme.filter(
            _month_of(contribution), actor=contribution.actor, counterpart=contribution.counterpart
        )
        limits.append(
            (
                programme.cap_per_pair_month - _credited(pair),
                _("the monthly cap per pair is reached"),
            )
        )
    limits.append((ledger.budget_left(programme), _("the programme's budget is used up")))
    amount, why = min(limits, key=lambda limit: limit[0])
    if amount <= 0:
        _decide(
            contribution, Status.REJECTED, reason=_("Not credited: %(why)s.") % {"why": why}, by=by
        )
        return
    status = Status.CREDITED if amount == rule.amount else Status.CAPPED
    reason = (
        ""
        if status == Status.CREDITED
        else _("Credited %(amount)s of %(full)s: %(why)s.")
        % {
            "amount": amount,
            "full": rule.amount,
            "why": why,
        }
    )
    _decide(contribution, status, amount=amount, reason=reason, by=by)
    ledger.post_entry(
        programme=programme,
        kind=LedgerEntry.Kind.CREDIT,
        debit=ledger.account(programme, Account.Kind.PROGRAMME),
        credit=ledger.account(programme, Account.Kind.MEMBER, contribution.actor),
        amount=amount,
        by=by,
        memo=contribution.get_kind_display(),
        contribution=contribution,
    )


# --- Coordinators' review -------------------------------------------------------------


def _require_coordinator(contribution: Contribution, by: User) -> None:
    if not is_coordinator(by, contribution.cluster_id) or by.pk == contribution.actor_id:
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators decide on this."))


@transaction.atomic
def approve_contribution(*, contribution: Contribution, by: User) -> Contribution:
    """A coordinator credits a contribution held for review or waiting for them."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require_coordinator(contribution, by)
    if contribution.status not in (Status.REVIEW, Status.PENDING):
        raise IncentiveError(gettext_lazy("This contribution is already decided."))
    rule = Rule.objects.get(programme=contribution.programme, kind=contribution.kind)
    if contribution.status == Status.PENDING and rule.confirmer != Rule.Confirmer.COORDINATOR:
        raise IncentiveError(gettext_lazy("This waits for the person helped to confirm it."))
    _confirm(contribution, by)
    _settle(contribution, rule, by=by, reviewed=True)
    return contribution


@transaction.atomic
def reject_contribution(*, contribution: Contribution, by: User, reason: str) -> Contribution:
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require_coordinator(contribution, by)
    if contribution.status not in (Status.REVIEW, Status.PENDING):
        raise IncentiveError(gettext_lazy("This contribution is already decided."))
    if not reason.strip():
        raise IncentiveError(gettext_lazy("Say why it is not credited; the member sees it."))
    _decide(contribution, Status.REJECTED, reason=reason.strip(), by=by)
    return contribution


@transaction.atomic
def reverse_credit(*, contribution: Contribution, by: User, reason: str) -> LedgerEntry:
    """Correct a credit with a reversing entry; the original entry stays as it was."""
    from incentives.programmes import require_officer

    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    require_officer(by, contribution.programme)
    if not reason.strip():
        raise IncentiveError(gettext_lazy("Say why the credit is reversed."))
    credit = contribution.entries.filter(kind=LedgerEntry.Kind.CREDIT).first()
    if credit is None or LedgerEntry.objects.filter(reverses=credit).exists():
        raise IncentiveError(gettext_lazy("There is no credit left to reverse."))
    entry = ledger.reverse(entry=credit, by=by, memo=reason.strip())
    _decide(
        contribution,
        Status.REJECTED,
        reason=_("Reversed: %(why)s") % {"why": reason.strip()},
        by=by,
    )
    return entry
