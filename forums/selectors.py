"""Reads the forum pages need, shaped for them, and the rooms a reader may see."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404
from taggit.models import Tag

from core.compiled import compiled_read
from core.pagination import KeysetPage, keyset_page
from forums import access
from forums.models import (
    Announcement,
    HelpfulVote,
    ModerationAction,
    Notification,
    Post,
    PostRevision,
    Room,
    Topic,
    TopicEvent,
)
from forums.rendering import render
from network.models import Cluster, Membership, Profile, User
from network.selectors import active_memberships_of, visible_clusters

MAX_CATCH_UP = 500


def room_for_reader(user: User, room_id: int) -> Room:
    room = Room.objects.select_related("cluster").filter(pk=room_id).first()
    if room is None or not access.can_read(user, room):
        raise Http404
    return room


def topic_for_reader(user: User, topic_id: int) -> Topic:
    topic = (
        Topic.objects.select_related("room__cluster", "author__profile")
        .filter(pk=topic_id)
        .first()
    )
    if topic is None or not access.can_read(user, topic.room):
        raise Http404
    return topic


def post_for_reader(user: User, post_id: int) -> Post:
    post = (
        Post.objects.select_related("topic__room__cluster", "author__profile")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not access.can_read(user, post.topic.room):
        raise Http404
    return post


def post_card(user: User, post_id: int) -> tuple[Post, int | None]:
    """One post as its topic's page shows it to `user`, their own helpful vote marked, and
    the id of the topic's opening post (never offered as an answer)."""
    post = post_for_reader(user, post_id)
    post.voted_helpful = (
        user.is_authenticated and HelpfulVote.objects.filter(voter=user, post=post).exists()
    )
    question_post_id = (
        Post.objects.filter(topic_id=post.topic_id)
        .order_by("topic_id", "id")
        .values_list("id", flat=True)
        .first()
    )
    return post, question_post_id


def post_history(user: User, post_id: int) -> tuple[Post, list[PostRevision]]:
    """A post and its earlier versions, newest first; a hidden post's only for moderators."""
    post = post_for_reader(user, post_id)
    if post.is_hidden and not access.can_moderate(user, post.topic.room):
        raise Http404
    revisions = list(post.revisions.select_related("edited_by__profile"))
    for revision in revisions:
        # Stored as typed; shown as posts are.
        people = access.mention_links(post.topic.room, revision.body)
        revision.body_html = render(revision.body, people=people)
    return post, revisions


@dataclass(frozen=True)
class TopicFilters:
    tag: str = ""
    solved: str = ""  # "", "yes", "no"
    author: str = ""  # a handle or a display name, in any case


def _filtered(topics: QuerySet[Topic], filters: TopicFilters) -> QuerySet[Topic]:
    if filters.tag:
        topics = topics.filter(tags__slug=filters.tag)
    if filters.solved == "yes":
        topics = topics.filter(kind=Topic.Kind.QUESTION, accepted_post__isnull=False)
    elif filters.solved == "no":
        topics = topics.filter(kind=Topic.Kind.QUESTION, accepted_post__isnull=True)
    if filters.author:
        topics = topics.filter(_by_author(filters.author))
    return topics


def _by_author(author: str, path: str = "author__profile__") -> Q:
    return Q(**{f"{path}handle": author.lower()}) | Q(**{f"{path}display_name__iexact": author})


# The author list offered beside the room's filter: people who started its latest topics.
RECENT_AUTHORS_FROM = 200


def room_authors(room: Room) -> QuerySet[Profile]:
    """Who started the room's latest topics, by name, for the author filter to offer."""
    recent = room.topics.order_by("-last_post_at").values("author_id")[:RECENT_AUTHORS_FROM]
    return Profile.objects.filter(user_id__in=recent, handle__isnull=False).order_by(
        "display_name", "user_id"
    )


def author_unknown(room: Room, author: str) -> bool:
    """No topic of the room was started by anyone of that name or handle."""
    return bool(author) and not room.topics.filter(_by_author(author)).exists()


def room_topics(
    room: Room, *, filters: TopicFilters = TopicFilters(), after: str | None = None, per_page=25
) -> KeysetPage:
    topics = _filtered(room.topics.all(), filters).select_related("author__profile")
    topics = topics.prefetch_related("tags")
    return keyset_page(
        topics, ordering=("-is_pinned", "-last_post_at", "-id"), after=after, per_page=per_page
    )


def topic_posts(
    topic: Topic, *, viewer: User, after: str | None = None, per_page: int = 30
) -> dict:
    """One page of a topic, the accepted answer first, with the viewer's own votes."""
    posts = Post.objects.filter(topic=topic).select_related("author__profile")
    # Read along the (topic, id) index from the topic's start: ordered by id alone, PostgreSQL
    # may walk the primary key through every older post of other topics to find these.
    page = keyset_page(
        posts, ordering=("topic_id", "id"), after=after, per_page=per_page, start=(topic.pk, 0)
    )
    accepted = None
    if topic.accepted_post_id:
        accepted = posts.filter(pk=topic.accepted_post_id).first()
    shown = [post.pk for post in page.items] + ([accepted.pk] if accepted else [])
    voted = set()
    if viewer.is_authenticated and shown:
        voted = set(
            HelpfulVote.objects.filter(voter=viewer, post_id__in=shown).values_list(
                "post_id", flat=True
            )
        )
    for post in [*page.items, *([accepted] if accepted else [])]:
        post.voted_helpful = post.pk in voted
    question_post_id = posts.order_by("topic_id", "id").values_list("id", flat=True).first()
    return {"page": page, "accepted": accepted, "question_post_id": question_post_id}


def events_after(
    topic: Topic | int, after: int, *, through: int | None = None
) -> list[TopicEvent]:
    """The events a reconnecting page missed, oldest first, at most MAX_CATCH_UP of them;
    with `through`, none numbered above it."""
    events = TopicEvent.objects.filter(topic=topic, number__gt=after)
    if through is not None:
        events = events.filter(number__lte=through)
    return list(
        events.select_related("post__author__profile", "post__topic").order_by("number")[
            :MAX_CATCH_UP
        ]
    )


def readable_rooms(user: User) -> QuerySet[Room]:
    clusters = visible_clusters(user)
    rooms = Room.objects.filter(kind=Room.Kind.FORUM, cluster__in=clusters.values("pk"))
    if user.is_authenticated:
        active = Membership.objects.active().of(user).values("cluster_id")
        rooms = rooms.filter(
            Q(cluster__visibility=Cluster.Visibility.PUBLIC) | Q(cluster__in=active)
        ) | Room.objects.filter(kind=Room.Kind.CONVERSATION, participants=user, cluster__in=active)
    else:
        rooms = rooms.filter(cluster__visibility=Cluster.Visibility.PUBLIC)
    return rooms


def unanswered_questions(user: User, *, tags: list[str], limit: int = 5) -> list[Topic]:
    """Questions with no reply yet in the forums of the person's clusters, tagged with any of
    `tags` (case-insensitive), oldest first: those have waited longest. Read for a panel's
    lines: each topic's title, age and cluster."""
    if not tags:
        return []
    keys = sorted({tag.lower() for tag in tags[:30]})
    clusters = [membership.cluster_id for membership in active_memberships_of(user)]
    if not clusters:
        return []
    return _unanswered(tags=keys, clusters=clusters, member=user.pk, limit=limit)


@compiled_read(shape=("limit",))
def _unanswered(p, *, limit: int):
    # The tags by their lower-case names in one condition, not one join condition a tag.
    named = Tag.objects.alias(key=Lower("name")).filter(key__in=p.many("tags", of=str))
    return (
        Topic.objects.filter(
            # Tagged topics as a subquery, not a join: a topic with two of the tags would
            # come twice, and DISTINCT over every column selected cost more to plan than
            # the whole query takes to run.
            pk__in=Topic.objects.filter(tags__in=named.values("pk")).values("pk"),
            kind=Topic.Kind.QUESTION,
            accepted_post__isnull=True,
            post_count__lte=1,  # the question's own post: nobody has replied
            room__kind=Room.Kind.FORUM,
            room__cluster__in=p.many("clusters"),
        )
        .exclude(author=p.member)
        .select_related("room__cluster")
        .only("title", "created_at", "room__cluster__name")
        .order_by("created_at", "id")[:limit]
    )


SEARCH_LIMIT = 50
_TSQUERY = " || ".join(
    f"websearch_to_tsquery('{config}', %s)" for config in ("spanish", "portuguese", "english")
)


def search(
    *, viewer: User, q: str, filters: TopicFilters = TopicFilters(), limit: int = SEARCH_LIMIT
) -> list[Post]:
    """Posts matching the words, in rooms the reader may see, best first (at most `limit`)."""
    q = q.strip()
    if not q:
        return []
    rooms = readable_rooms(viewer)
    topics = _filtered(Topic.objects.filter(room__in=rooms), filters)
    if filters == TopicFilters():
        # Each post's room, through its topic: not a test against every readable topic.
        readable = Post.objects.filter(topic__room__in=rooms)
    else:
        readable = Post.objects.filter(topic__in=topics)
    # What a result shows (forums/search.html): the post's words under its topic's title,
    # the cluster's and the author's names.
    posts = (
        readable.filter(is_hidden=False)
        .select_related("topic__room__cluster", "author__profile")
        .only(
            "body",
            "topic__title",
            "topic__room__cluster__name",
            "author__profile__display_name",
        )
    )
    if connection.vendor == "postgresql":
        return _ranked(posts, topics, q, limit)
    words = q.split()[:8]
    condition = Q()
    for word in words:
        condition &= Q(body__icontains=word) | Q(topic__title__icontains=word)
    return list(posts.filter(condition).order_by("-id")[:limit])


# The posts ranked for one search: the newest that match by their words, and the newest post
# of each of the newest topics whose title matches. A word in a quarter of 100,000 posts
# would otherwise rank every one of them (1/2 s); older matches come up with narrower words.
# Ranking is most of a search's time at that size: 500 of each keep it within 1.5 times the
# time at 1,000 posts, where 1,000 took 1.5 to 1.8 times (docs/performance.md).
SEARCH_CANDIDATES = 500


def _where(queryset: QuerySet, condition: str, params: list[str]) -> QuerySet:
    return queryset.alias(hit=RawSQL(condition, params, output_field=BooleanField())).filter(
        hit=True
    )


def _ranked(posts: QuerySet[Post], topics: QuerySet[Topic], q: str, limit: int) -> list[Post]:
    """PostgreSQL full text, stemmed in all three languages; title matches weigh double.

    Candidates come from the posts' and the topics' full-text indexes, newest first (see
    SEARCH_CANDIDATES). A title counts the same for every post of its topic, and ties go to
    the newest post, so each matching topic offers its newest post. Only the candidates are
    ranked, and only the best `limit` are then read with their topic, room and author.
    """
    per_language = [q] * 3  # one websearch_to_tsquery per language in _TSQUERY
    by_words = _where(
        posts.select_related(None).order_by("-id").values("id"),
        f"forums_post.search @@ ({_TSQUERY})",
        per_language,
    )
    newest_post = (
        Post.objects.filter(topic=OuterRef("pk"), is_hidden=False).order_by("-id").values("id")
    )
    by_title = _where(
        topics.order_by("-id"), f"forums_topic.search @@ ({_TSQUERY})", per_language
    ).values(post=Subquery(newest_post[:1]))
    branches = [
        query[:SEARCH_CANDIDATES].query.sql_with_params() for query in (by_words, by_title)
    ]
    candidates = RawSQL(
        "SELECT id FROM ((" + ") UNION (".join(sql for sql, _params in branches) + ")) AS hits",
        [param for _sql, params in branches for param in params],
    )
    rank = RawSQL(
        f"ts_rank(forums_post.search, {_TSQUERY})"
        " + 2 * ts_rank((SELECT t.search FROM forums_topic t"
        f" WHERE t.id = forums_post.topic_id), {_TSQUERY})",
        per_language * 2,
        output_field=FloatField(),
    )
    best = list(
        Post.objects.filter(id__in=candidates)
        .annotate(rank=rank)
        .order_by("-rank", "-id")
        .values_list("id", flat=True)[:limit]
    )
    found = posts.in_bulk(best)
    # A post hidden between the two reads is left out, not an error.
    return [found[pk] for pk in best if pk in found]


def notifications_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("actor__profile", "topic", "announcement__cluster")
        .order_by("-id")[:limit]
    )


def moderation_log(cluster: Cluster, *, limit: int = 100) -> list[ModerationAction]:
    return list(
        ModerationAction.objects.filter(cluster=cluster)
        .select_related("actor__profile", "topic")
        .order_by("-created_at", "-id")[:limit]
    )


def move_targets(user: User, room: Room) -> list[Cluster]:
    """Other clusters whose forum this coordinator may move a topic to."""
    if not (room.is_forum and access.can_moderate(user, room)):
        return []
    coordinated = Membership.objects.coordinators().of(user).values("cluster_id")
    return list(
        Cluster.objects.filter(pk__in=coordinated)
        .exclude(pk=room.cluster_id)
        .order_by("name")[:50]
    )


def announcements_of(cluster: Cluster, *, limit: int = 50) -> list[Announcement]:
    return list(
        Announcement.objects.filter(cluster=cluster)
        .select_related("author__profile")
        .order_by("-created_at", "-id")[:limit]
    )


def announcement_for(user: User, *, cluster: Cluster, announcement_id: int) -> Announcement:
    """One announcement of the cluster, for its active members; 404 for anyone else."""
    if not is_active_member(user, cluster):
        raise Http404
    return get_object_or_404(
        Announcement.objects.select_related("author__profile", "cluster"),
        pk=announcement_id,
        cluster=cluster,
    )


def is_active_member(user: User, cluster: Cluster) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and Membership.objects.filter(
            user=user, cluster=cluster, status=Membership.Status.ACTIVE
        ).exists()
    )
