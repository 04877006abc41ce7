"""Programmes and who runs them: an agency's officers, and the programmes each may see."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotAllowed
from incentives.models import Account, Programme
from network.models import User
from network.selectors import agency_of


def is_officer(user: User, programme: Programme) -> bool:
    agency = agency_of(user)
    return agency is not None and agency.pk == programme.agency_id


def require_officer(user: User, programme: Programme) -> None:
    if not is_officer(user, programme):
        raise NotAllowed(gettext_lazy("Only the sponsoring agency's officers can do this."))


def programmes_of(user: User) -> QuerySet[Programme]:
    agency = agency_of(user)
    if agency is None:
        return Programme.objects.none()
    return Programme.objects.filter(agency=agency)


def programme_by_id(programme_id: int) -> Programme | None:
    """For batch use outside requests (management commands): no viewer to check."""
    return Programme.objects.filter(pk=programme_id).first()


def programme_for(user: User, programme_id: int) -> Programme:
    """The programme if the viewer is an officer of its agency; 404 for everyone else."""
    programme = Programme.objects.select_related("agency").filter(pk=programme_id).first()
    if programme is None or not user.is_authenticated or not is_officer(user, programme):
        raise Http404
    return programme


def erasure_refusals(user: User) -> list:
    """An agency's only officer cannot erase their account while its programmes run or owe
    members credits not yet paid: nobody would be left to approve and pay them. Another
    officer joins first."""
    agency = agency_of(user)
    if agency is None:
        return []
    colleagues = User.objects.filter(
        profile__organization=agency, is_active=True, erased_at__isnull=True
    ).exclude(pk=user.pk)
    running = Programme.objects.filter(agency=agency, ends_on__gte=timezone.localdate())
    unpaid = Account.objects.filter(
        programme__agency=agency, kind=Account.Kind.MEMBER, balance__gt=0
    )
    if colleagues.exists() or not (running.exists() or unpaid.exists()):
        return []
    return [
        _(
            "You are the only officer of %(agency)s, whose programmes are still running or "
            "owe members credits not yet paid. "
            "Ask another officer of the agency to join Pioneros first, so members' credits "
            "can still be approved and paid."
        )
        % {"agency": agency.name}
    ]
