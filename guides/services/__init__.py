"""Every change to a guide goes through here, one module per part of its life: writing,
review and publishing, readers' feedback, and promotion from a forum's accepted answer.
The names below are guides' door: `from guides import services; services.publish(...)`."""

from guides.services.feedback import mark_useful, resolve_correction, suggest_correction
from guides.services.promotion import promote_answer
from guides.services.review import (
    CHECK_AFTER,
    archive,
    comment,
    confirm_current,
    flag_for_review,
    publish,
    return_to_authors,
    send_due_reminders,
)
from guides.services.writing import (
    add_author,
    clean_facets,
    create_guide,
    forget_erased_member,
    submit_for_review,
    update_draft,
)

__all__ = [
    "CHECK_AFTER",
    "add_author",
    "archive",
    "clean_facets",
    "comment",
    "confirm_current",
    "create_guide",
    "flag_for_review",
    "forget_erased_member",
    "mark_useful",
    "promote_answer",
    "publish",
    "resolve_correction",
    "return_to_authors",
    "send_due_reminders",
    "submit_for_review",
    "suggest_correction",
    "update_draft",
]
