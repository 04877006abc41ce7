"""What mentoring gives the export-readiness diagnostic, registered with it (readiness sits
below mentoring and imports none of it): for each weak dimension, goal templates to adopt,
upcoming group sessions on its topics and mentors strong in it; and whether a viewer mentors
a firm, so its shared answers open to them."""

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import GoalTemplate, MentorOffer, Pairing, Session
from network.models import Membership
from readiness import access, suggestions
from readiness.dimensions import BY_CODE

SHOWN = 3  # per dimension and kind


def mentors_firm(*, viewer, organization_id: int) -> bool:
    return Pairing.objects.filter(
        mentor=viewer,
        status=Pairing.Status.ACTIVE,
        follower__profile__organization_id=organization_id,
    ).exists()


def _clusters(viewer) -> list[int]:
    return list(Membership.objects.active().of(viewer).values_list("cluster_id", flat=True))


def goal_templates(*, viewer, organization, dimensions: list[str]) -> dict:
    follows = Pairing.objects.filter(follower=viewer, status=Pairing.Status.ACTIVE).exists()
    found: dict[str, list] = {}
    for template in GoalTemplate.objects.filter(dimension__in=dimensions):
        action = reverse("mentoring:adopt_goal", args=[template.pk]) if follows else ""
        found.setdefault(template.dimension, []).append(
            suggestions.Item(
                title=template.display_title,
                note=", ".join(template.display_steps),
                action=action,
            )
        )
    return found


def topic_words(code: str) -> set[str]:
    """A dimension's topics as written in each shipped language, lower case."""
    words = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words |= {_(topic).lower() for topic in BY_CODE[code].topics}
    return words


def group_sessions(*, viewer, organization, dimensions: list[str]) -> dict:
    upcoming = (
        Session.objects.filter(
            cluster_id__in=_clusters(viewer),
            kind=Session.Kind.GROUP,
            status=Session.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at")
        .only("pk", "title", "agenda", "starts_at", "time_zone")[:50]
    )
    upcoming = list(upcoming)
    found: dict[str, list] = {}
    for code in dimensions:
        words = topic_words(code)
        for session in upcoming:
            text = f"{session.title} {session.agenda}".lower()
            if any(word in text for word in words) and len(found.get(code, [])) < SHOWN:
                found.setdefault(code, []).append(
                    suggestions.Item(
                        title=session.title,
                        url=session.get_absolute_url(),
                        note=_date(session),
                    )
                )
    return found


def _date(session: Session) -> str:
    return formats.date_format(timezone.localtime(session.starts_at), "DATE_FORMAT")


def strong_mentors(*, viewer, organization, dimensions: list[str]) -> dict:
    offers = (
        MentorOffer.objects.filter(cluster_id__in=_clusters(viewer), is_paused=False)
        .exclude(user=viewer)
        .select_related("user__profile", "cluster")
        .order_by("pk")[:200]
    )
    found: dict[str, list] = {}
    for offer in offers:
        for code in dimensions:
            if code in offer.strengths and len(found.get(code, [])) < SHOWN:
                found.setdefault(code, []).append(
                    suggestions.Item(
                        title=offer.user.profile.display_name,
                        url=offer.user.profile.get_absolute_url(),
                        note=offer.cluster.name,
                    )
                )
    return found


access.register_mentor_check(mentors_firm)
suggestions.register(
    suggestions.Provider("goal_templates", gettext_lazy("Goals to adopt"), 10, goal_templates)
)
suggestions.register(
    suggestions.Provider("mentors", gettext_lazy("Mentors strong in it"), 30, strong_mentors)
)
suggestions.register(
    suggestions.Provider("sessions", gettext_lazy("Upcoming group sessions"), 40, group_sessions)
)
