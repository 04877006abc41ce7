"""Every change in the forums goes through here, whichever edge asked: page, API or socket.

One module per entity (rooms, topics, posts, moderation); the names below are the forums'
door, so other apps and the edges write `from forums import services; services.post_reply`.
"""

from forums.services._shared import CLOSED, OBSERVER, TooManyPosts, require_writer
from forums.services.announcements import announce
from forums.services.moderation import hide_post, move_topic, set_topic_flags, show_post
from forums.services.posts import (
    accept_answer,
    edit_post,
    mark_helpful,
    post_reply,
    unmark_helpful,
)
from forums.services.rooms import close_conversation, forum_of, open_conversation
from forums.services.topics import MAX_TAG_LENGTH, MAX_TAGS, clean_tags, start_topic

__all__ = [
    "CLOSED",
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "OBSERVER",
    "TooManyPosts",
    "accept_answer",
    "announce",
    "clean_tags",
    "close_conversation",
    "edit_post",
    "forum_of",
    "hide_post",
    "mark_helpful",
    "move_topic",
    "open_conversation",
    "post_reply",
    "require_writer",
    "set_topic_flags",
    "show_post",
    "start_topic",
    "unmark_helpful",
]
