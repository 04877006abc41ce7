"""The one door other apps use to report contributions, and how contributions get credited.

Other apps call `record_contribution` (and `confirm_contribution` when the person helped
confirms later); incentives never reads their tables. Crediting happens under a lock on the
programme row, so caps and the budget hold under concurrent confirmations, and the database
allows one credit entry per contribution. Locks are always taken in one order (contribution,
programme, then accounts by id), so crediting, reversing and paying never deadlock.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from core.text import clean_text
from incentives import flags, ledger, reasons
from incentives.errors import IncentiveError, NotAllowed
from incentives.models import (
    Account,
    ApiToken,
    Contribution,
    ContributionKind,
    LedgerEntry,
    Programme,
    Rule,
)
from incentives.programmes import is_officer
from network.erasure import scrub
from network.models import Cluster, Membership, Sponsorship, User

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
            # A sponsorship ended by either side stops the agency's programmes crediting here.
            programme__agency__sponsorships__cluster=cluster,
            programme__agency__sponsorships__status=Sponsorship.Status.ACTIVE,
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


def _local_url(url: str) -> str:
    """Reporting apps link to their own pages; anything else (another site, javascript:) is
    dropped rather than shown to members as a link."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url[:300]
    return ""


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
    reviewed: bool = False,
) -> Contribution | None:
    """Report that `actor` did something in `cluster`; None when no programme rewards it.

    `reviewed`: `confirmed_by` examined this very contribution (a guide's reviewer publishing
    it), so a pattern in the actor's other contributions does not hold it for a second look.

    Reporting the same source again never makes a second contribution: it may add the
    confirmation or the attendee count the first report lacked, and it is settled under the
    rule of the programme that took the first report (even if that rule has since been
    switched off, or another programme now covers the cluster).
    """
    if kind not in ContributionKind.values:
        raise ValueError(f"Unknown contribution kind {kind!r}")
    if attendees < 0:
        raise ValueError("Attendees cannot be negative.")
    label = source_label(source)
    contribution = (
        Contribution.objects.select_for_update()
        .filter(kind=kind, source=label, actor=actor)
        .first()
    )
    rule = None
    if contribution is None:
        occurred_at = occurred_at or timezone.now()
        rule = _rule_for(kind, cluster, timezone.localtime(occurred_at).date())
        if rule is None:
            return None
        try:
            with transaction.atomic():
                # Inserted by this transaction, the row is nobody else's until it commits.
                contribution = Contribution.objects.create(
                    kind=kind,
                    source=label,
                    actor=actor,
                    counterpart=counterpart,
                    cluster=cluster,
                    programme=rule.programme,
                    title=title[:200],
                    url=_local_url(url),
                    hours=Decimal(str(hours)).quantize(Decimal("0.01")),
                    attendees=attendees,
                    occurred_at=occurred_at,
                )
        except IntegrityError:
            # A racing report of the same source created it first.
            contribution = Contribution.objects.select_for_update().get(
                kind=kind, source=label, actor=actor
            )
            rule = None
    if contribution.status != Status.PENDING:
        return contribution
    if rule is None or rule.programme_id != contribution.programme_id:
        rule = Rule.objects.select_related("programme").get(
            programme_id=contribution.programme_id, kind=kind
        )
    if attendees > contribution.attendees:
        contribution.attendees = attendees
        contribution.save(update_fields=["attendees"])
    confirmed = (
        confirmed_by is not None
        and _may_confirm(rule, contribution, confirmed_by)
        and _confirm(contribution, confirmed_by)
    )
    _settle_if_ready(contribution, rule, confirmed=confirmed, reviewed=reviewed and confirmed)
    if (
        contribution.status == Status.PENDING
        and rule.confirmer == Rule.Confirmer.COORDINATOR
        and not contribution.flags
    ):
        # Waiting for a coordinator: the review queue explains any pattern found now.
        contribution.flags = flags.detect(contribution)
        if contribution.flags:
            contribution.save(update_fields=["flags"])
    return contribution


def _colleagues(one_id: int | None, other_id: int | None) -> bool:
    """Both people belong to the same organization."""
    if one_id is None or other_id is None:
        return False
    if one_id == other_id:
        return True
    organizations = list(
        User.objects.filter(pk__in=[one_id, other_id]).values_list(
            "profile__organization_id", flat=True
        )
    )
    return (
        len(organizations) == 2
        and organizations[0] is not None
        and (organizations[0] == organizations[1])
    )


def _may_confirm(rule: Rule, contribution: Contribution, user: User) -> bool:
    if rule.confirmer == Rule.Confirmer.COORDINATOR:
        # The programme's own officers stand in where the cluster has no other coordinator
        # (they review a sole coordinator's guides).
        return (
            user.pk not in (contribution.actor_id, contribution.counterpart_id)
            and (
                is_coordinator(user, contribution.cluster_id)
                or is_officer(user, contribution.programme)
            )
            and not _colleagues(user.pk, contribution.actor_id)
        )
    return contribution.counterpart_id is not None and user.pk == contribution.counterpart_id


CONFIRMATION = ["confirmed_by", "confirmed_at"]


def _confirm(contribution: Contribution, by: User | None) -> bool:
    """Note the confirmation on the row; it is saved with the decision that follows, or by
    `_settle_if_ready` when none does. True when it was not confirmed before."""
    if contribution.confirmed_at is not None:
        return False
    contribution.confirmed_by = by
    contribution.confirmed_at = timezone.now()
    return True


def _confirmed_by_attendees(rule: Rule) -> bool:
    return (
        rule.kind == ContributionKind.GROUP_SESSION
        and rule.confirmer == Rule.Confirmer.COUNTERPART
    )


def _ready(rule: Rule, contribution: Contribution) -> bool:
    if _confirmed_by_attendees(rule):
        # Attendees' own confirmations are what confirm a group session.
        return contribution.attendees >= max(rule.min_attendees, 1)
    if rule.kind == ContributionKind.GROUP_SESSION and contribution.attendees < rule.min_attendees:
        return False
    return contribution.confirmed_at is not None


def _settle_if_ready(
    contribution: Contribution, rule: Rule, *, confirmed: bool, reviewed: bool = False
) -> None:
    if not _ready(rule, contribution):
        if confirmed:
            contribution.save(update_fields=CONFIRMATION)
        return
    if _confirmed_by_attendees(rule):
        # Enough attendees confirmed: the session counts as held and confirmed from now.
        _confirm(contribution, None)
    _settle(contribution, rule, by=contribution.confirmed_by, reviewed=reviewed)


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
    _settle_if_ready(contribution, rule, confirmed=_confirm(contribution, by))
    return contribution


@transaction.atomic
def withdraw_contribution(
    *, kind: str, actor: User, source: Model | str, reason: str
) -> Contribution | None:
    """The reporting app says what it reported no longer holds (an answer no longer accepted).

    Only an undecided contribution is withdrawn; a credit already made stands, and only an
    officer's reversing entry corrects it.
    """
    contribution = (
        Contribution.objects.select_for_update()
        .filter(kind=kind, source=source_label(source), actor=actor)
        .first()
    )
    if contribution is None or contribution.status not in (Status.PENDING, Status.REVIEW):
        return contribution
    _decide(contribution, Status.REJECTED, reason=reason)
    return contribution


def _earned_this_month(contribution: Contribution, *, pair: bool) -> dict[str, Decimal]:
    """What the actor was credited in the programme in the contribution's month, in all and
    with the same counterpart: one query for both caps."""
    totals = {"member": Sum("amount")}
    if pair:
        totals["pair"] = Sum("amount", filter=Q(counterpart_id=contribution.counterpart_id))
    found = (
        Contribution.objects.filter(
            _month_of(contribution),
            programme_id=contribution.programme_id,
            actor_id=contribution.actor_id,
            status__in=[Status.CREDITED, Status.CAPPED],
        )
        .exclude(pk=contribution.pk)
        .aggregate(**totals)
    )
    # SQLite sums decimals through floats: back to cents, or a cap leaves 0.0000001 residues.
    return {key: Decimal(value or 0).quantize(ledger.CENT) for key, value in found.items()}


def _month_of(contribution: Contribution) -> Q:
    start, end = ledger.month_bounds(timezone.localtime(contribution.occurred_at).date())
    return Q(occurred_at__gte=start, occurred_at__lt=end)


def _decide(
    contribution: Contribution,
    status: str,
    *,
    amount=ZERO,
    reason="",
    code: str = "",
    data: dict | None = None,
    by: User | None = None,
) -> None:
    """Record the decision; a `code` is explained in each reader's language (reasons.py),
    a plain `reason` (a coordinator's or the reporting app's words) is shown as it is."""
    contribution.status = status
    contribution.amount = amount
    contribution.reason_code = code
    contribution.reason_data = data or {}
    contribution.reason = (reasons.in_english(code, data) if code else str(reason))[:300]
    contribution.decided_by = by
    contribution.decided_at = timezone.now()
    contribution.save(
        update_fields=[
            "status",
            "amount",
            "reason",
            "reason_code",
            "reason_data",
            "decided_by",
            "decided_at",
            *CONFIRMATION,
        ]
    )


def _settle(contribution: Contribution, rule: Rule, *, by: User | None, reviewed: bool = False):
    """Credit, cap or reject: the programme row is locked so caps and budget hold."""
    programme = Programme.objects.select_for_update().get(pk=rule.programme_id)
    if contribution.counterpart_id == contribution.actor_id:
        _decide(contribution, Status.REJECTED, code=reasons.SELF, by=by)
        return
    if _colleagues(contribution.actor_id, contribution.counterpart_id):
        _decide(contribution, Status.REJECTED, code=reasons.SAME_ORGANIZATION, by=by)
        return
    if not reviewed:
        found = flags.detect(contribution)
        if found:
            contribution.flags = found
            contribution.status = Status.REVIEW
            contribution.save(update_fields=["flags", "status", *CONFIRMATION])
            return
    limits = [(rule.amount, "")]
    member_cap = programme.cap_per_member_month
    pair_cap = programme.cap_per_pair_month if contribution.counterpart_id else None
    if member_cap is not None or pair_cap is not None:
        earned = _earned_this_month(contribution, pair=pair_cap is not None)
        if member_cap is not None:
            limits.append((member_cap - earned["member"], reasons.CAP_MEMBER))
        if pair_cap is not None:
            limits.append((pair_cap - earned["pair"], reasons.CAP_PAIR))
    # Read after the programme's lock: no other credit can be spending it meanwhile.
    budget, member_account = ledger.credit_accounts(programme, contribution.actor_id)
    limits.append((budget.balance, reasons.BUDGET))
    amount, why = min(limits, key=lambda limit: limit[0])
    if amount <= 0:
        _decide(contribution, Status.REJECTED, code=reasons.NOT_CREDITED, data={"why": why}, by=by)
        return
    if amount == rule.amount:
        _decide(contribution, Status.CREDITED, amount=amount, by=by)
    else:
        data = {"amount": str(amount), "full": str(rule.amount), "why": why}
        _decide(contribution, Status.CAPPED, amount=amount, code=reasons.CAPPED, data=data, by=by)
    ledger.post_entry(
        programme=programme,
        kind=LedgerEntry.Kind.CREDIT,
        debit=budget,
        # Made on the member's first credit, never for a refusal.
        credit=member_account
        or ledger.account(programme, Account.Kind.MEMBER, member_id=contribution.actor_id),
        amount=amount,
        by=by,
        contribution=contribution,
    )


# --- Coordinators' review -------------------------------------------------------------


def _require_coordinator(contribution: Contribution, by: User, *, crediting: bool) -> None:
    if by.pk in (contribution.actor_id, contribution.counterpart_id) or not is_coordinator(
        by, contribution.cluster_id
    ):
        raise NotAllowed(
            gettext_lazy("Only the cluster's coordinators decide on this, never on their own.")
        )
    if crediting and _colleagues(by.pk, contribution.actor_id):
        raise NotAllowed(
            gettext_lazy(
                "A coordinator does not credit a colleague from their own organization; "
                "another coordinator decides."
            )
        )


@transaction.atomic
def approve_contribution(*, contribution: Contribution, by: User) -> Contribution:
    """A coordinator credits a contribution held for review or waiting for them."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require_coordinator(contribution, by, crediting=True)
    if contribution.status not in (Status.REVIEW, Status.PENDING):
        raise IncentiveError(gettext_lazy("This contribution is already decided."))
    rule = Rule.objects.get(programme=contribution.programme, kind=contribution.kind)
    if contribution.status == Status.PENDING and rule.confirmer != Rule.Confirmer.COORDINATOR:
        raise IncentiveError(gettext_lazy("This waits for the person helped to confirm it."))
    if rule.kind == ContributionKind.GROUP_SESSION and contribution.attendees < rule.min_attendees:
        raise IncentiveError(
            ngettext(
                "The rule asks for %(needed)d confirmed attendee; %(count)d confirmed so far.",
                "The rule asks for %(needed)d confirmed attendees; %(count)d confirmed so far.",
                rule.min_attendees,
            )
            % {"needed": rule.min_attendees, "count": contribution.attendees}
        )
    _confirm(contribution, by)  # saved with the decision
    _settle(contribution, rule, by=by, reviewed=True)
    return contribution


@transaction.atomic
def reject_contribution(*, contribution: Contribution, by: User, reason: str) -> Contribution:
    reason = clean_text(
        reason,
        model=Contribution,
        field="reason",
        error=IncentiveError,
        label=gettext_lazy("reason"),
    )
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require_coordinator(contribution, by, crediting=False)
    if contribution.status not in (Status.REVIEW, Status.PENDING):
        raise IncentiveError(gettext_lazy("This contribution is already decided."))
    if not reason.strip():
        raise IncentiveError(gettext_lazy("Say why it is not credited; the member sees it."))
    _decide(contribution, Status.REJECTED, reason=reason.strip(), by=by)
    return contribution


@transaction.atomic
def reverse_credit(*, contribution: Contribution, by: User, reason: str) -> LedgerEntry:
    """Correct a credit with a reversing entry; the original entry stays as it was."""
    reason = clean_text(
        reason, model=LedgerEntry, field="memo", error=IncentiveError, label=gettext_lazy("reason")
    )
    from incentives.programmes import require_officer

    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    # Locked as crediting locks it (contribution, then programme, then accounts), so a
    # reversal racing credits of the same member waits instead of deadlocking.
    programme = Programme.objects.select_for_update().get(pk=contribution.programme_id)
    require_officer(by, programme)
    if not reason:
        raise IncentiveError(gettext_lazy("Say why the credit is reversed."))
    entry = _reverse(contribution, by=by, reason=reason)
    if entry is None:
        raise IncentiveError(gettext_lazy("There is no credit left to reverse."))
    return entry


def _reverse(contribution: Contribution, *, by: User | None, reason: str) -> LedgerEntry | None:
    """Reverse the contribution's credit, if one stands; the contribution and its programme
    are locked by the caller, in that order."""
    credit = (
        contribution.entries.filter(kind=LedgerEntry.Kind.CREDIT)
        .select_related("programme", "debit", "credit")
        .first()
    )
    if credit is None or LedgerEntry.objects.filter(reverses=credit).exists():
        return None
    entry = ledger.reverse(entry=credit, by=by, memo=reason)
    _decide(contribution, Status.REJECTED, code=reasons.REVERSED, data={"why": reason}, by=by)
    return entry


@transaction.atomic
def retract_contribution(
    *, kind: str, source: Model | str, by: User | None, reason: str
) -> list[Contribution]:
    """The reporting app says what it reported no longer holds, and no credit may stand for
    it (an answer the accepted mark moved away from): undecided, it is withdrawn; credited,
    approved or even paid, a reversing entry takes the credit back (a paid one is owed back,
    and held from what the member is paid next). Either way it is settled: reported again,
    it earns nothing more, so undoing and redoing the same thing never mints money.
    """
    reason = reason.strip()[:250]
    found = Contribution.objects.select_for_update().filter(kind=kind, source=source_label(source))
    contributions = list(found.order_by("pk"))  # each actor's, e.g. a guide's co-authors
    for contribution in contributions:
        if contribution.status in (Status.PENDING, Status.REVIEW):
            _decide(contribution, Status.REJECTED, reason=reason, by=by)
        elif contribution.status in (Status.CREDITED, Status.CAPPED):
            Programme.objects.select_for_update().get(pk=contribution.programme_id)
            _reverse(contribution, by=by, reason=reason)
    return contributions


@transaction.atomic
def forget_erased_member(*, user: User, names=()) -> int:
    """A member erased their account (network.erasure). What they reported that is still
    undecided is withdrawn (nobody can pay them for it any more); what was decided stays,
    with every ledger entry, for the audit. Their API keys go. Returns how many were withdrawn.

    Contributions waiting for *their* confirmation are the helper's: that confirmation will
    never come, so they go to the cluster's coordinators, flagged, who credit or refuse them.
    The helper loses nothing by someone else's erasure, nor gains a credit nobody checked.
    """
    undecided = Contribution.objects.select_for_update().filter(
        actor=user, status__in=[Status.PENDING, Status.REVIEW]
    )
    withdrawn = 0
    for contribution in undecided.order_by("pk"):
        _decide(contribution, Status.REJECTED, code=reasons.ERASED)
        withdrawn += 1
    # Only those the helped person was to confirm; a coordinator's confirmation still comes.
    confirmed_by_them = Rule.objects.filter(
        programme=OuterRef("programme"),
        kind=OuterRef("kind"),
        confirmer=Rule.Confirmer.COUNTERPART,
    )
    waiting = Contribution.objects.select_for_update().filter(
        Exists(confirmed_by_them), counterpart=user, status=Status.PENDING
    )
    for contribution in waiting.order_by("pk"):
        contribution.flags = [*contribution.flags, {"code": flags.CONFIRMER_ERASED}]
        contribution.status = Status.REVIEW
        contribution.save(update_fields=["flags", "status"])
    names = list(names)
    if names:
        # Titles the reporting apps wrote ("Session with …") may name them.
        for contribution in Contribution.objects.filter(Q(actor=user) | Q(counterpart=user)):
            title = scrub(contribution.title, names)
            if title != contribution.title:
                Contribution.objects.filter(pk=contribution.pk).update(title=title)
    ApiToken.objects.filter(user=user).delete()
    return withdrawn
