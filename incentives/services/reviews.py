"""A cluster's coordinators decide on contributions held for review or left to them."""

from django.db import transaction
from django.utils.translation import gettext_lazy, ngettext

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from incentives.models import Contribution, ContributionKind, Rule
from incentives.services import settlement
from network import selectors as network_selectors
from network.models import User

Status = Contribution.Status


def _require_coordinator(contribution: Contribution, by: User, *, crediting: bool) -> None:
    if by.pk in (
        contribution.actor_id,
        contribution.counterpart_id,
    ) or not network_selectors.is_coordinator(user=by, cluster=contribution.cluster_id):
        raise NotAllowed(
            gettext_lazy("Only the cluster's coordinators decide on this, never on their own.")
        )
    if crediting and settlement.colleagues(by.pk, contribution.actor_id):
        raise NotAllowed(
            gettext_lazy(
                "A coordinator does not credit a colleague from their own organization; "
                "another coordinator decides."
            )
        )


def _refuse_unless_open(contribution: Contribution) -> None:
    if contribution.status not in (Status.REVIEW, Status.PENDING):
        raise DomainError(gettext_lazy("This contribution is already decided."))


@transaction.atomic
def approve_contribution(*, contribution: Contribution, by: User) -> Contribution:
    """A coordinator credits a contribution held for review or waiting for them."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require_coordinator(contribution, by, crediting=True)
    _refuse_unless_open(contribution)
    rule = Rule.objects.get(programme=contribution.programme, kind=contribution.kind)
    if contribution.status == Status.PENDING and rule.confirmer != Rule.Confirmer.COORDINATOR:
        raise DomainError(gettext_lazy("This waits for the person helped to confirm it."))
    if rule.kind == ContributionKind.GROUP_SESSION and contribution.attendees < rule.min_attendees:
        raise DomainError(
            ngettext(
                "The rule asks for %(needed)d confirmed attendee; %(count)d confirmed so far.",
                "The rule asks for %(needed)d confirmed attendees; %(count)d confirmed so far.",
                rule.min_attendees,
            )
            % {"needed": rule.min_attendees, "count": contribution.attendees}
        )
    settlement.note_confirmation(contribution, by)  # saved with the decision
    settlement.settle(contribution, rule, by=by, reviewed=True)
    return contribution


@transaction.atomic
def reject_contribution(*, contribution: Contribution, by: User, reason: str) -> Contribution:
    reason = clean_text(
        reason,
        model=Contribution,
        field="reason",
        error=DomainError,
        label=gettext_lazy("reason"),
    )
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require_coordinator(contribution, by, crediting=False)
    _refuse_unless_open(contribution)
    if not reason.strip():
        raise DomainError(gettext_lazy("Say why it is not credited; the member sees it."))
    settlement.decide(contribution, Status.REJECTED, reason=reason.strip(), by=by)
    return contribution
