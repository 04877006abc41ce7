"""What other apps report (a session held, an answer accepted, a guide published), its
confirmation by the person helped, and its withdrawal, retraction or reversal.

Other apps call `record_contribution` (and `confirm_contribution` when the person helped
confirms later); incentives never reads their tables.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from incentives import gaming_flags, reasons
from incentives.models import (
    ApiToken,
    Contribution,
    ContributionKind,
    LedgerEntry,
    Programme,
    Rule,
)
from incentives.selectors import require_officer
from incentives.services import settlement
from incentives.services.referrals import forget_names_in_referrals
from network.erasure import scrub
from network.models import Cluster, Sponsorship, User

Status = Contribution.Status


def source_label(source: Model | str) -> str:
    if isinstance(source, str):
        return source
    return f"{source._meta.label_lower}:{source.pk}"


def _rule_for(kind: str, cluster: Cluster, day: datetime.date) -> Rule | None:
    """The one rule, so the one programme, that credits a new contribution: no double funding.

    A cluster sponsored by several agencies may have several programmes rewarding the same
    kind of contribution on the same day; a contribution is credited under one of them only.
    Among the programmes with an active rule for the kind, running on the day, covering the
    cluster, whose agency's sponsorship of the cluster is active: the programme whose agency's
    sponsorship of the cluster began first (was accepted earliest), then the lowest programme
    id (the agency's older programme). The first sponsor's scheme is the one the cluster
    already works under, so an agency that joins later adds to it and never takes credits away
    from it; the order depends only on stored dates and ids, so every process picks the same.
    Once chosen, a contribution stays with its programme (`record_contribution`), and the
    ledger lets a contribution be credited once, only in that programme (`LedgerEntry`).
    """
    sponsor_since = Sponsorship.objects.filter(
        cluster=cluster, agency=OuterRef("programme__agency"), status=Sponsorship.Status.ACTIVE
    ).values("decided_at")[:1]
    return (
        Rule.objects.select_related("programme")
        .filter(
            kind=kind,
            is_active=True,
            programme__clusters=cluster,
            programme__starts_on__lte=day,
            programme__ends_on__gte=day,
        )
        # A sponsorship ended by either side stops the agency's programmes crediting here.
        .annotate(sponsor_since=Subquery(sponsor_since))
        .filter(sponsor_since__isnull=False)
        .order_by("sponsor_since", "programme_id")
        .first()
    )


def _local_url(url: str) -> str:
    """Reporting apps link to their own pages; anything else (another site, javascript:) is
    dropped rather than shown to members as a link."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url[:300]
    return ""


def _reported(
    *, kind: str, actor: User, label: str, cluster: Cluster, occurred_at, **fields
) -> tuple[Contribution | None, Rule | None]:
    """The contribution already reported for this source, locked; or a new one under the
    rule that rewards it now, with that rule; (None, None) when no programme rewards it."""
    contribution = (
        Contribution.objects.select_for_update()
        .filter(kind=kind, source=label, actor=actor)
        .first()
    )
    if contribution is not None:
        return contribution, None
    occurred_at = occurred_at or timezone.now()
    rule = _rule_for(kind, cluster, timezone.localtime(occurred_at).date())
    if rule is None:
        return None, None
    try:
        with transaction.atomic():
            # Inserted by this transaction, the row is nobody else's until it commits.
            contribution = Contribution.objects.create(
                kind=kind,
                source=label,
                actor=actor,
                cluster=cluster,
                programme=rule.programme,
                occurred_at=occurred_at,
                **fields,
            )
    except IntegrityError:
        # A racing report of the same source created it first.
        contribution = Contribution.objects.select_for_update().get(
            kind=kind, source=label, actor=actor
        )
        return contribution, None
    return contribution, rule


def _flag_for_coordinators(contribution: Contribution, rule: Rule) -> None:
    """Waiting for a coordinator: the review queue explains any pattern found now."""
    if (
        contribution.status == Status.PENDING
        and rule.confirmer == Rule.Confirmer.COORDINATOR
        and not contribution.flags
    ):
        contribution.flags = gaming_flags.detect(contribution)
        if contribution.flags:
            contribution.save(update_fields=["flags"])


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
    contribution, rule = _reported(
        kind=kind,
        actor=actor,
        label=source_label(source),
        cluster=cluster,
        occurred_at=occurred_at,
        counterpart=counterpart,
        title=title[:200],
        url=_local_url(url),
        hours=Decimal(str(hours)).quantize(Decimal("0.01")),
        attendees=attendees,
    )
    if contribution is None or contribution.status != Status.PENDING:
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
        and settlement.may_confirm(rule, contribution, confirmed_by)
        and settlement.note_confirmation(contribution, confirmed_by)
    )
    settlement.settle_if_ready(
        contribution, rule, confirmed=confirmed, reviewed=reviewed and confirmed
    )
    _flag_for_coordinators(contribution, rule)
    return contribution


@transaction.atomic
def confirm_contribution(*, contribution: Contribution, by: User) -> Contribution:
    """The person helped, or a coordinator where the rule says so, confirms."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    rule = Rule.objects.get(programme=contribution.programme, kind=contribution.kind)
    if not settlement.may_confirm(rule, contribution, by):
        raise NotAllowed(
            gettext_lazy(
                "Only the person helped, or a coordinator where the rule says so, confirms this."
            )
        )
    if contribution.status != Status.PENDING:
        raise DomainError(gettext_lazy("This contribution is already decided."))
    settlement.settle_if_ready(
        contribution, rule, confirmed=settlement.note_confirmation(contribution, by)
    )
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
    settlement.decide(contribution, Status.REJECTED, reason=reason)
    return contribution


@transaction.atomic
def reverse_credit(*, contribution: Contribution, by: User, reason: str) -> LedgerEntry:
    """Correct a credit with a reversing entry; the original entry stays as it was."""
    reason = clean_text(
        reason, model=LedgerEntry, field="memo", error=DomainError, label=gettext_lazy("reason")
    )
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    # Locked as crediting locks it (contribution, then programme, then accounts), so a
    # reversal racing credits of the same member waits instead of deadlocking.
    programme = Programme.objects.select_for_update().get(pk=contribution.programme_id)
    require_officer(by, programme)
    if not reason:
        raise DomainError(gettext_lazy("Say why the credit is reversed."))
    entry = settlement.reverse_standing_credit(contribution, by=by, reason=reason)
    if entry is None:
        raise DomainError(gettext_lazy("There is no credit left to reverse."))
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
            settlement.decide(contribution, Status.REJECTED, reason=reason, by=by)
        elif contribution.status in (Status.CREDITED, Status.CAPPED):
            Programme.objects.select_for_update().get(pk=contribution.programme_id)
            settlement.reverse_standing_credit(contribution, by=by, reason=reason)
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
        settlement.decide(contribution, Status.REJECTED, code=reasons.ERASED)
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
        contribution.flags = [*contribution.flags, {"code": gaming_flags.CONFIRMER_ERASED}]
        contribution.status = Status.REVIEW
        contribution.save(update_fields=["flags", "status"])
    names = list(names)
    if names:
        # Titles the reporting apps wrote ("Session with …") may name them.
        for contribution in Contribution.objects.filter(Q(actor=user) | Q(counterpart=user)):
            title = scrub(contribution.title, names)
            if title != contribution.title:
                Contribution.objects.filter(pk=contribution.pk).update(title=title)
        forget_names_in_referrals(names=names)
    ApiToken.objects.filter(user=user).delete()
    return withdrawn
