"""Forums: a room per cluster (or a private conversation), topics, posts and their trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from network.models import Cluster


class Room(models.Model):
    """Where topics live: a cluster's forum, or a private conversation between members."""

    class Kind(models.TextChoices):
        FORUM = "forum", _("Cluster forum")
        CONVERSATION = "conversation", _("Private conversation")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=14, choices=Kind, default=Kind.FORUM)
    title = models.CharField(_("title"), max_length=200, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="conversations"
    )

    class ClosedBecause(models.TextChoices):
        COMPLETED = "completed", _("The mentoring it belongs to was completed.")
        ENDED = "ended", _("The mentoring it belongs to has ended.")

    # A conversation whose pairing is over stays readable and takes no more writing.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_because = models.CharField(max_length=10, choices=ClosedBecause, blank=True)
    # Kept by the services in the same transaction, so lists never count rows.
    topic_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster"], condition=Q(kind="forum"), name="one_forum_per_cluster"
            )
        ]

    def __str__(self) -> str:
        return self.title or str(self.cluster)

    @property
    def is_forum(self) -> bool:
        return self.kind == self.Kind.FORUM

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Topic(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="topics", db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="topics"
    )
    tags = TaggableManager(_("tags"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField(db_index=True)
    post_count = models.PositiveIntegerField(default=0)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    accepted_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The id of the newest event of this topic; events are numbered 1, 2, 3... per topic.
    last_event_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["room", "-is_pinned", "-last_post_at", "-id"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:topic", args=[self.pk])

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None


class Post(models.Model):
    # Found through the (topic, id) index alone: beside an index on topic by itself, a plan
    # made without the values picked it and read a 100,000-post topic in 64 ms, not 0.3.
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    body = models.TextField(_("message"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["topic", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.topic_id}"

    def get_absolute_url(self) -> str:
        return f"{self.topic.get_absolute_url()}#post-{self.pk}"


class PostRevision(models.Model):
    """A post's text before an edit: the history behind "edited"."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"revision of {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class HelpfulVote(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="helpful_votes", db_index=False
    )
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "voter"], name="one_helpful_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} found {self.post_id} helpful"


class TopicEvent(models.Model):
    """What happened in a topic, numbered per topic: the record a reconnecting page replays."""

    class Kind(models.TextChoices):
        POST_CREATED = "post.created"
        POST_EDITED = "post.edited"
        POST_HIDDEN = "post.hidden"
        POST_SHOWN = "post.shown"
        ANSWER_ACCEPTED = "answer.accepted"
        TOPIC_UPDATED = "topic.updated"

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    number = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "number"], name="event_numbers_unique_per_topic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}#{self.number} {self.kind}"


class ModerationAction(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", _("hid a post")
        SHOW = "show", _("showed a post again")
        LOCK = "lock", _("locked a topic")
        UNLOCK = "unlock", _("unlocked a topic")
        PIN = "pin", _("pinned a topic")
        UNPIN = "unpin", _("unpinned a topic")
        MOVE = "move", _("moved a topic")

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="moderation")
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    action = models.CharField(max_length=10, choices=Action)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cluster", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.topic_id}"


class Announcement(models.Model):
    """A coordinator's message to the whole cluster: each active member is notified in the
    app, live and (as they chose) by email; members read them on the cluster's page."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="announcements", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cluster", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:announcement", args=[self.cluster.slug, self.pk])


class Notification(models.Model):
    """An in-app notice to one member; the badge counts the unread ones."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("mentioned you")
        REPLY = "reply", _("replied to your topic")
        ACCEPTED = "accepted", _("accepted your answer")
        MODERATION = "moderation", _("moderated your post")
        ANNOUNCEMENT = "announcement", _("announced")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=12, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A topic's notice, or a cluster announcement's.
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, related_name="+")
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="unread_notifications",
            ),
            models.Index(fields=["recipient", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=False) | Q(announcement__isnull=False),
                name="notification_about_a_topic_or_an_announcement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class EmailPreference(models.Model):
    """Which notifications a member also wants by email (sent in the background)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    mentions = models.BooleanField(_("when someone mentions me"), default=True)
    replies = models.BooleanField(_("when someone replies to my topic"), default=False)
    accepted = models.BooleanField(_("when my answer is accepted"), default=True)
    moderation = models.BooleanField(_("when a moderator acts on my post"), default=True)
    announcements = models.BooleanField(
        _("when a coordinator writes to my whole cluster"), default=True
    )

    def __str__(self) -> str:
        return f"email preferences of {self.user_id}"
