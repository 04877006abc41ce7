"""Forum pages: parse, check who may read or act, call a service, render. Work without JS."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import search_sections
from core.errors import DomainError
from core.views import attempt
from forums import access, notifications, selectors, services
from forums.forms import EmailPreferenceForm, HideForm, PostForm, SearchForm, TopicForm
from forums.models import EmailPreference, Room
from network import selectors as network_selectors


def _filters(form: SearchForm) -> selectors.TopicFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.TopicFilters(
        tag=data.get("tag") or "", solved=data.get("solved") or "", author=data.get("author") or ""
    )


def cluster_forum(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    return redirect("forums:room", room_id=services.forum_of(cluster).pk)


def room(request, room_id):
    room = selectors.room_for_reader(request.user, room_id)
    form = SearchForm(request.GET or None)
    filters = _filters(form)
    page = selectors.room_topics(room, filters=filters, after=request.GET.get("after"))
    return render(
        request,
        "forums/room.html",
        {
            "room": room,
            "page": page,
            "form": form,
            "authors": selectors.room_authors(room),
            "author_unknown": selectors.author_unknown(room, filters.author),
            "can_write": access.can_write(request.user, room),
            "can_moderate": access.can_moderate(request.user, room),
            "is_observer": access.is_observer(request.user, room),
            "live": access.can_follow(request.user, room),
        },
    )


@login_required
def new_topic(request, room_id):
    room = selectors.room_for_reader(request.user, room_id)
    if not access.can_write(request.user, room):
        return _refuse(request, room)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = attempt(
            request,
            services.start_topic,
            form=form,
            room=room,
            author=request.user,
            **form.cleaned_data,
        )
        if started:
            messages.success(request, _("Topic published."))
            return redirect(started.value)
    return render(request, "forums/topic_form.html", {"room": room, "form": form})


def _refuse(request, room: Room):
    if room.is_closed:
        refusal = services.CLOSED
    elif access.is_observer(request.user, room):
        refusal = services.OBSERVER
    else:
        refusal = _("Only members of the cluster can write in its forum.")
    messages.error(request, refusal)
    return redirect("forums:room", room_id=room.pk)


def topic(request, topic_id):
    topic = selectors.topic_for_reader(request.user, topic_id)
    room = topic.room
    posts = selectors.topic_posts(topic, viewer=request.user, after=request.GET.get("after"))
    # What this reader may do, the same for a post loaded here and one a live page fetches.
    may = access.TopicAbilities.of(request.user, topic)
    shown = [*posts["page"].items, *([posts["accepted"]] if posts["accepted"] else [])]
    may.mark(shown, topic=topic, question_post_id=posts["question_post_id"])
    return render(
        request,
        "forums/topic.html",
        {
            "topic": topic,
            "room": room,
            **posts,
            "reply_form": PostForm(),
            "hide_form": HideForm(),
            "can_write": may.can_write,
            "can_moderate": may.can_moderate,
            # A locked topic takes replies from its moderators only.
            "locked_out": topic.is_locked and not may.can_moderate,
            "is_observer": access.is_observer(request.user, room),
            "live": access.can_follow(request.user, room),
            "move_targets": selectors.move_targets(request.user, room),
        },
    )


@require_GET
def post_card(request, post_id):
    """One post exactly as the topic page shows it to this reader, in their language and time
    zone, with the buttons they may use: a live page asks for it when a post arrives."""
    post, question_post_id = selectors.post_card(request.user, post_id)
    topic = post.topic
    may = access.TopicAbilities.of(request.user, topic)
    may.mark([post], topic=topic, question_post_id=question_post_id)
    context = {
        "post": post,
        "topic": topic,
        "room": topic.room,
        "accepted_box": topic.accepted_post_id == post.pk,
        "can_moderate": may.can_moderate,
    }
    return render(request, "forums/_post.html", context)


@login_required
@require_POST
def reply(request, topic_id):
    topic = selectors.topic_for_reader(request.user, topic_id)
    form = PostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write something first."))
        return redirect(topic)
    try:
        post = services.post_reply(topic=topic, author=request.user, **form.cleaned_data)
    except DomainError as error:
        # Every refusal, a reader's who may not write here included, is said on the topic.
        messages.error(request, error.message)
        return redirect(topic)
    return redirect(post.get_absolute_url())


@login_required
def edit_post(request, post_id):
    post = selectors.post_for_reader(request.user, post_id)
    if post.author_id != request.user.pk:
        raise Http404
    form = PostForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post=post, by=request.user, **form.cleaned_data)
        except DomainError as error:
            # On the form, the author's own words kept, even when they may no longer write.
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Message updated."))
            return redirect(post.get_absolute_url())
    return render(request, "forums/post_form.html", {"post": post, "form": form})


def post_history(request, post_id):
    post, revisions = selectors.post_history(request.user, post_id)
    return render(request, "forums/post_history.html", {"post": post, "revisions": revisions})


# Lazy: the confirmation is said in the language of the request, not of the first import.
POST_ACTIONS = {
    "helpful": (services.mark_helpful, gettext_lazy("Marked as helpful.")),
    "unhelpful": (services.unmark_helpful, gettext_lazy("Helpful mark removed.")),
    "accept": (services.accept_answer, gettext_lazy("Answer accepted.")),
    "show": (services.show_post, gettext_lazy("Message shown again.")),
}


@login_required
@require_POST
def post_action(request, post_id, action):
    post = selectors.post_for_reader(request.user, post_id)
    if action == "hide":
        form = HideForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        service, done, arguments = services.hide_post, _("Message hidden."), {"reason": reason}
    elif action in POST_ACTIONS:
        (service, done), arguments = POST_ACTIONS[action], {}
    else:
        raise Http404
    if attempt(request, service, post=post, by=request.user, **arguments):
        messages.success(request, done)
    return redirect(post.get_absolute_url())


TOPIC_FLAGS = {
    "lock": {"locked": True},
    "unlock": {"locked": False},
    "pin": {"pinned": True},
    "unpin": {"pinned": False},
}


def _move(*, topic, by, cluster_slug: str):
    # The cluster is looked up as the mover sees it: one they cannot see is a 404.
    cluster = network_selectors.cluster_for(by, cluster_slug)
    return services.move_topic(topic=topic, by=by, to=services.forum_of(cluster))


@login_required
@require_POST
def topic_action(request, topic_id, action):
    topic = selectors.topic_for_reader(request.user, topic_id)
    if action in TOPIC_FLAGS:
        service, arguments = services.set_topic_flags, TOPIC_FLAGS[action]
    elif action == "move":
        service, arguments = _move, {"cluster_slug": request.POST.get("cluster", "")}
    else:
        raise Http404
    if attempt(request, service, topic=topic, by=request.user, **arguments):
        messages.success(request, _("Topic updated."))
    return redirect(topic)


def search(request):
    form = SearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    results = selectors.search(viewer=request.user, q=q, filters=_filters(form)) if q else []
    sections = search_sections.run(viewer=request.user, q=q, data=request.GET)
    return render(
        request,
        "forums/search.html",
        {"form": form, "results": results, "q": q, "sections": sections},
    )


@login_required
def notification_list(request):
    if request.method == "POST":
        notifications.mark_read(user=request.user)
        messages.success(request, _("All notifications marked as read."))
        return redirect("forums:notifications")
    preference, _created = EmailPreference.objects.get_or_create(user=request.user)
    return render(
        request,
        "forums/notifications.html",
        {
            "notifications": selectors.notifications_for(request.user),
            "preference_form": EmailPreferenceForm(instance=preference),
        },
    )


@login_required
@require_POST
def email_preferences(request):
    preference, _created = EmailPreference.objects.get_or_create(user=request.user)
    form = EmailPreferenceForm(request.POST, instance=preference)
    if form.is_valid():
        form.save()
        messages.success(request, _("Email preferences saved."))
    return redirect("forums:notifications")


@login_required
def moderation_log(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    room = services.forum_of(cluster)
    if not access.can_moderate(request.user, room):
        raise PermissionDenied(_("Only coordinators see the log."))
    return render(
        request,
        "forums/moderation_log.html",
        {"cluster": cluster, "room": room, "actions": selectors.moderation_log(cluster)},
    )
