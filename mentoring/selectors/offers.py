"""Mentors' offers and followers' needs, and where a person may offer mentoring."""

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet
from django.http import Http404
from taggit.models import TaggedItem

from core import memo
from core.compiled import compiled_read
from mentoring.models import MentoringNeeds, MentorInvitation, MentorOffer
from network.models import Cluster, ExportProduct, Membership, User
from network.selectors import active_memberships_of
from readiness import selectors as readiness

# Who may offer mentoring in a cluster: its mentors, and its coordinators too.
OFFERING_ROLES = (Membership.Role.MENTOR, Membership.Role.COORDINATOR)


def needs_of(user: User | int) -> MentoringNeeds | None:
    return MentoringNeeds.objects.filter(user=user).first()


def topic_names(
    objects: Sequence[MentorOffer] | Sequence[MentoringNeeds],
) -> dict[int, list[str]]:
    """The topics of several offers, or of several followers' needs (all of one model), by
    primary key, in one read. Taggit's prefetch reaches the same rows through its generic
    relation at five times the cost in Python (6,314 calls against 1,133, for seven offers)."""
    if not objects:
        return {}
    rows = _topics(
        kind=ContentType.objects.get_for_model(type(objects[0])).pk,
        objects=[obj.pk for obj in objects],
    )
    names = defaultdict(list)
    for object_id, name in rows:
        names[object_id].append(name)
    return dict(names)


@compiled_read()
def _topics(p):
    tagged = TaggedItem.objects.filter(content_type=p.kind, object_id__in=p.many("objects"))
    return tagged.values_list("object_id", "tag__name")


def needs_with_readiness_of(user: User) -> MentoringNeeds | None:
    """The follower's needs, read once per page (core.memo): the page shows them and the
    suggestions are scored on them; their topics are read where they are weighed."""
    return memo.once(
        ("needs", user.pk),
        lambda: next(iter(_needs_with_readiness(follower=user.pk)), None),
    )


@compiled_read()
def _needs_with_readiness(p):
    # The firm's latest diagnostic, read with the needs when the firm shares it: suggestions
    # weigh its weak spots.
    scores = readiness.shared_scores_expression(OuterRef("user__profile__organization_id"))
    return MentoringNeeds.objects.filter(user=p.follower).annotate(readiness_scores=scores)


def mentor_clusters(user: User) -> QuerySet[Membership]:
    """Where this person may offer mentoring, with their offer there if any."""
    return (
        Membership.objects.active()
        .of(user)
        .filter(role__in=OFFERING_ROLES)
        .select_related("cluster")
        .order_by("cluster__name")
    )


def may_offer(user: User, cluster: Cluster) -> bool:
    """The cluster's mentors and coordinators; and a follower invited to mentor there (their
    firm exports now), unless they declined."""
    active = Membership.objects.active().of(user).in_cluster(cluster)
    if active.filter(role__in=OFFERING_ROLES).exists():
        return True
    return (
        active.exists()
        and MentorInvitation.objects.filter(user=user, cluster=cluster)
        .exclude(status=MentorInvitation.Status.DECLINED)
        .exists()
    )


def invitation_of(user: User) -> MentorInvitation | None:
    return next(iter(_invitation_of(member=user.pk)), None)


@compiled_read()
def _invitation_of(p):
    # One invitation a person at most (the key is unique); ordered as first() would.
    return (
        MentorInvitation.objects.select_related("cluster").filter(user=p.member).order_by("pk")[:1]
    )


def invitation_defaults(invitation: MentorInvitation) -> dict:
    """What the offer form starts from for an invited follower: what their firm exported."""
    return {
        "products": ", ".join(invitation.products),
        "markets": list(invitation.markets),
    }


def offers_of(user: User) -> dict[int, MentorOffer]:
    return {offer.cluster_id: offer for offer in _offers_of(member=user.pk)}


@compiled_read()
def _offers_of(p):
    return MentorOffer.objects.filter(user=p.member)


def live_offers_of(user: User) -> list[MentorOffer]:
    """The person's offers in clusters where they are still an active member."""
    if not active_memberships_of(user):  # read already by the page (core.memo)
        return []
    return _live_offers(member=user.pk)


@compiled_read()
def _live_offers(p):
    active = Membership.objects.active().filter(user=p.member)
    return MentorOffer.objects.filter(user=p.member, cluster_id__in=active.values("cluster_id"))


def offer_for_request(user: User, offer_id: int) -> MentorOffer:
    """An offer the follower may look at: in a cluster they can see."""
    offer = (
        MentorOffer.objects.select_related("cluster", "user__profile__organization")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404
    member = Membership.objects.active().of(user).in_cluster(offer.cluster).exists()
    if not (member or offer.cluster.is_public):
        raise Http404
    return offer


def offer_defaults(user: User) -> dict:
    """A new offer starts from what the mentor's firm already exports."""
    profile = user.profile
    organization = profile.organization
    initial = {"languages": profile.languages, "capacity": 2}
    if organization:
        initial["products"] = ", ".join(
            p.hs_code for p in organization.products.filter(status=ExportProduct.Status.EXPORTS)
        )
        initial["markets"] = [str(m.country) for m in organization.markets.all()]
    initial["topics"] = ", ".join(tag.name for tag in profile.expertise.all())
    return initial
