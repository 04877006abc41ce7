"""Who, beyond a firm's own people, may read its shared answers: the apps above say, so the
diagnostic never imports them. Mentoring registers "mentors the firm in an active pairing"."""

from collections.abc import Callable

_MENTOR_CHECKS: list[Callable[..., bool]] = []


def register_mentor_check(check: Callable[..., bool]) -> None:
    """check(viewer=..., organization_id=...) -> whether the viewer mentors that firm now."""
    if check not in _MENTOR_CHECKS:
        _MENTOR_CHECKS.append(check)


def mentors_firm(*, viewer, organization_id: int) -> bool:
    return any(check(viewer=viewer, organization_id=organization_id) for check in _MENTOR_CHECKS)
