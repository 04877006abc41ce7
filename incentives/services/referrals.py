"""Referrals: an officer refers a firm of their clusters to another agency's programme; an
officer of that agency accepts or declines it, then marks it done. Each step is a
ReferralEvent (who, when), and the firm's people and the other agency are told."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from incentives.models import Programme, Referral, ReferralEvent
from incentives.selectors.referrals import people_of, referable_firms
from network import notify
from network.erasure import scrub
from network.models import Organization, User
from network.selectors import agency_of, officers_of

State = Referral.State


def _duplicate(firm: Organization, programme: Programme) -> DomainError:
    return DomainError(
        _("%(firm)s already has an open referral to %(programme)s.")
        % {"firm": firm.name, "programme": programme.name},
        code="duplicate",
    )


@transaction.atomic
def refer_firm(*, by: User, firm: Organization, programme: Programme, note: str) -> Referral:
    """Refer `firm` (active in a cluster the officer's agency sponsors) to another agency's
    programme that has not ended, with a note both agencies and the firm read."""
    agency = agency_of(by)
    if agency is None:
        raise NotAllowed(gettext_lazy("Only an agency's officers can refer a firm."))
    if not referable_firms(agency).filter(pk=firm.pk).exists():
        raise DomainError(
            gettext_lazy("You can refer only firms active in the clusters your agency sponsors."),
            code="not_your_firm",
        )
    if programme.agency_id == agency.pk:
        raise DomainError(
            gettext_lazy("Refer firms to another agency's programme, not to your own."),
            code="own_programme",
        )
    if programme.ends_on < timezone.localdate():
        raise DomainError(gettext_lazy("That programme has ended."), code="ended")
    note = clean_text(note, model=Referral, field="note", error=DomainError)
    if not note:
        raise DomainError(gettext_lazy("Write a note: why this firm, and why now."), code="empty")
    if Referral.objects.filter(firm=firm, programme=programme, state__in=Referral.OPEN).exists():
        raise _duplicate(firm, programme)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                firm=firm, programme=programme, referring_agency=agency, note=note, referred_by=by
            )
    except IntegrityError:  # the same referral, sent a moment earlier by a colleague
        raise _duplicate(firm, programme) from None
    ReferralEvent.objects.create(referral=referral, state=State.SENT, by=by, agency=agency)
    _tell(referral, officers=officers_of(programme.agency))
    return referral


def _move(
    *, referral: Referral, by: User, to: str, after: tuple[str, ...], refusal, reason: str = ""
) -> Referral:
    """Move the referral from one of `after` to `to` in one conditional UPDATE: of two
    officers answering at once, exactly one finds it still in `after`; the other is refused
    and nothing of theirs is written."""
    agency = agency_of(by)
    if agency is None or agency.pk != referral.programme.agency_id:
        raise DomainError(
            gettext_lazy("Only officers of the agency that runs the programme can do this."),
            code="not_allowed",
        )
    with transaction.atomic():
        moved = Referral.objects.filter(pk=referral.pk, state__in=after).update(
            state=to, reason=reason, updated_at=timezone.now()
        )
        if not moved:
            raise DomainError(refusal, code="state")
        ReferralEvent.objects.create(referral=referral, state=to, by=by, agency=agency)
        referral.refresh_from_db()
        _tell(referral, officers=[referral.referred_by] if referral.referred_by else [])
    return referral


ANSWERED = gettext_lazy("This referral has already been answered.")


def accept_referral(*, referral: Referral, by: User) -> Referral:
    return _move(
        referral=referral, by=by, to=State.ACCEPTED, after=(State.SENT,), refusal=ANSWERED
    )


def decline_referral(*, referral: Referral, by: User, reason: str = "") -> Referral:
    reason = clean_text(reason, model=Referral, field="reason", error=DomainError)
    return _move(
        referral=referral,
        by=by,
        to=State.DECLINED,
        after=(State.SENT,),
        refusal=ANSWERED,
        reason=reason,
    )


def complete_referral(*, referral: Referral, by: User) -> Referral:
    return _move(
        referral=referral,
        by=by,
        to=State.DONE,
        after=(State.ACCEPTED,),
        refusal=gettext_lazy("Only an accepted referral can be marked done."),
        reason=referral.reason,  # a done referral keeps what was said when it was answered
    )


def _tell(referral: Referral, *, officers) -> None:
    """The firm's people (their organization page) and the other agency's officers (the
    referral's page): by email after commit, and live on their open pages."""
    context = {
        "state": referral.state,
        "firm": referral.firm.name,
        "programme": referral.programme.name,
        "agency": referral.programme.agency.name,
        "referring_agency": referral.referring_agency.name,
        "note": referral.note,
        "reason": referral.reason,
    }
    summary = _("Referral of %(firm)s to %(programme)s: %(state)s") % {
        "firm": referral.firm.name,
        "programme": referral.programme.name,
        "state": referral.get_state_display(),
    }
    for users, path in (
        (list(people_of(referral.firm)), reverse("organization_edit") + "#history"),
        (list(officers), referral.get_absolute_url()),
    ):
        notify.tell(
            users=users,
            template="incentives/email/referral",
            context={**context, "url": notify.absolute_url(path)},
            event={"type": "referral", "text": summary, "url": path},
        )


def forget_names_in_referrals(*, names) -> None:
    """An erased member's names, in notes and reasons officers wrote, become the former
    member's label (the referral itself stays: it is the firm's and the agencies')."""
    names = [name for name in names if name]
    if not names:
        return
    mentions = Q()
    for name in names:
        mentions |= Q(note__contains=name) | Q(reason__contains=name)
    for referral in Referral.objects.filter(mentions):
        Referral.objects.filter(pk=referral.pk).update(
            note=scrub(referral.note, names), reason=scrub(referral.reason, names)
        )
