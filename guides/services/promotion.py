"""A forum's accepted answer turned into a draft guide, credited and linked back."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from forums.models import Post, Topic
from guides import access, catalogue
from guides.models import Guide
from guides.services._shared import require
from guides.services.writing import create_guide
from network.models import User

# A guide's language code -> the site's locale for it.
LOCALES = {"pt": "pt-br"}


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def _name(user: User | None) -> str:
    return user.profile.display_name if user is not None else str(_("a former member"))


@transaction.atomic
def promote_answer(*, post: Post, by: User) -> Guide:
    """A draft guide quoting the question and its accepted answer, credited and linked back.

    One guide per answer: promoting it again returns the guide already started.
    """
    topic = Topic.objects.select_related("room").get(pk=post.topic_id)  # the answer as it is now
    room = topic.room
    if not room.is_forum or topic.accepted_post_id != post.pk or post.is_hidden:
        raise DomainError(
            _("Only a forum's accepted answer can become a guide."), code="not_accepted"
        )
    require(
        access.can_write_in(by, room.cluster_id),
        _("Only the cluster's mentors and coordinators write guides."),
    )
    existing = Guide.objects.filter(promoted_from=post).first()
    if existing is not None:
        return existing
    question = topic.posts.select_related("author__profile").order_by("id").first()
    if question is not None and question.is_hidden:
        question = None
    language = _language_of(question, post)
    with translation.override(LOCALES.get(language, language)):
        summary = str(
            _("From %(name)s's accepted answer in the forum, to be turned into a guide.")
            % {"name": _name(post.author)}
        )
        body = _quoted_exchange(question, post)
    facets = catalogue.read_tags([tag.slug for tag in topic.tags.all()])
    guide = create_guide(
        cluster_id=room.cluster_id,
        by=by,
        title=topic.title,
        summary=summary,
        body=body,
        language=language,
        **facets,
    )
    guide.promoted_from = post
    guide.save(update_fields=["promoted_from"])
    if post.author is not None and access.can_write_in(post.author, room.cluster_id):
        guide.authors.add(post.author)  # whose know-how it is shares the credit
    return guide


def _language_of(question: Post | None, answer: Post) -> str:
    """The language the exchange was written in, not that of the promoter's pages: the guide
    is filed under it and introduced in it."""
    page_language = (get_language() or "es")[:2]
    if page_language not in dict(catalogue.LANGUAGES):
        page_language = "es"
    quoted = [question.body] if question is not None else []
    return catalogue.guess_language(" ".join([*quoted, answer.body]), default=page_language)


def _quoted_exchange(question: Post | None, answer: Post) -> str:
    """The draft's text: the question and the answer quoted and credited, then a link back."""
    parts = []
    if question is not None:
        parts.append(
            _("**Question** by %(name)s, %(date)s:")
            % {"name": _name(question.author), "date": question.created_at.date().isoformat()}
            + "\n\n"
            + _quote(question.body)
        )
    parts.append(
        _("**Accepted answer** by %(name)s, %(date)s:")
        % {"name": _name(answer.author), "date": answer.created_at.date().isoformat()}
        + "\n\n"
        + _quote(answer.body)
    )
    # A link within the site: it keeps working wherever the site is served from.
    link = answer.get_absolute_url()
    parts.append(_("[Read the whole discussion in the forum](%(url)s)") % {"url": link})
    return "\n\n".join(str(part) for part in parts)
