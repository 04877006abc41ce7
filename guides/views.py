"""Guide pages: parse, check who may read or act, call a service, render. Work without JS."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from forums import rendering
from forums import selectors as forum_selectors
from guides import access, actions, changes, forms, selectors, services
from guides.models import CorrectionSuggestion, Guide


def library(request):
    form = forms.FilterForm(request.GET or None)
    page = selectors.library(
        viewer=request.user, filters=form.filters(), after=request.GET.get("after")
    )
    can_write = request.user.is_authenticated and selectors.writable_clusters(request.user)
    return render(
        request,
        "guides/library.html",
        {"form": form, "page": page, "can_write": bool(can_write)},
    )


@login_required
def desk(request):
    return render(request, "guides/desk.html", selectors.desk(request.user))


def _facets(data: dict) -> dict:
    return {name: data[name] for name in ("products", "markets", "topics")}


def _content(data: dict) -> dict:
    return {
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "language": data["language"],
        **_facets(data),
    }


@login_required
def new_guide(request):
    clusters = [membership.cluster for membership in selectors.writable_clusters(request.user)]
    if not clusters:
        messages.error(request, _("Mentors and coordinators of a cluster write its guides."))
        return redirect("guides:library")
    form = forms.NewGuideForm(request.POST or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            services.create_guide,
            form=form,
            cluster_id=form.cleaned_data["cluster"],
            by=request.user,
            **_content(form.cleaned_data),
        )
        if created:
            messages.success(request, _("Draft saved. Send it for review when it is ready."))
            return redirect(created.value)
    return render(request, "guides/guide_form.html", {"form": form})


@login_required
def edit_guide(request, guide_id):
    guide = selectors.guide_for_reader(request.user, guide_id)
    if not access.is_author(request.user, guide):
        raise Http404
    initial = {
        "title": guide.title,
        "summary": guide.summary,
        "body": guide.body,
        "language": guide.language,
        "products": ", ".join(guide.products),
        "markets": guide.markets,
        "topics": guide.topics,
    }
    form = forms.GuideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        content = _content(form.cleaned_data)
        if attempt(
            request, services.update_draft, form=form, guide=guide, by=request.user, **content
        ):
            if guide.current_version_id:
                messages.success(request, _("Draft saved. Readers see the published version."))
            else:
                messages.success(request, _("Draft saved. Send it for review when it is ready."))
            return redirect("guides:draft", guide_id=guide.pk)
    return render(request, "guides/guide_form.html", {"form": form, "guide": guide})


def _management(request, guide: Guide) -> dict:
    """What authors and coordinators see beside the guide."""
    if not access.can_manage(request.user, guide):
        return {"can_manage": False}
    return {
        "can_manage": True,
        "may": access.Management.of(request.user, guide),
        "trail": selectors.review_trail(guide),
        "suggestions": selectors.open_suggestions(guide),
        # Prefixed ids: several forms share a page, and labels must point at their own field.
        "publish_form": forms.PublishForm(
            initial={"visibility": guide.visibility}, auto_id="publish_%s"
        ),
        "confirm_form": forms.ConfirmForm(auto_id="confirm_%s"),
        "comment_form": forms.CommentForm(auto_id="comment_%s"),
        "author_form": forms.AuthorForm(auto_id="author_%s", label_suffix=""),
    }


def guide(request, guide_id):
    guide = selectors.guide_for_reader(request.user, guide_id)
    if guide.current_version_id is None:
        return redirect("guides:draft", guide_id=guide.pk)  # only its writers can be here
    marked = (
        request.user.is_authenticated and guide.useful_marks.filter(reader=request.user).exists()
    )
    management = _management(request, guide)
    return render(
        request,
        "guides/guide.html",
        {
            "guide": guide,
            "shown": guide.current_version,
            "marked": marked,
            "can_mark": request.user.is_authenticated
            and guide.is_listed
            and not access.is_author(request.user, guide),
            "correction_form": forms.CorrectionForm(auto_id="correction_%s"),
            **management,
            # Naming the cluster tells a reader of a network-wide guide from a private
            # cluster that the cluster exists: only its members and those running it see it.
            "cluster_link": guide.cluster.is_public
            or guide.visibility == Guide.Visibility.CLUSTER
            or management["can_manage"],
        },
    )


def draft(request, guide_id):
    """The working copy, for its authors and reviewers, with what changed since publishing."""
    guide = selectors.guide_for_reader(request.user, guide_id)
    if not access.can_manage(request.user, guide):
        raise Http404
    difference = None
    if guide.current_version is not None:
        difference = changes.compare(guide.current_version, guide)
    return render(
        request,
        "guides/draft.html",
        {
            "guide": guide,
            "body_html": rendering.render(guide.body),
            "changes": difference,
            "on_draft": True,
            **_management(request, guide),
        },
    )


def version_list(request, guide_id):
    guide = selectors.guide_for_reader(request.user, guide_id)
    versions = selectors.versions(guide)
    return render(request, "guides/versions.html", {"guide": guide, "versions": versions})


def version(request, guide_id, number):
    guide = selectors.guide_for_reader(request.user, guide_id)
    shown = selectors.version(guide, number)
    return render(
        request,
        "guides/version.html",
        {"guide": guide, "shown": shown, "is_current": shown.pk == guide.current_version_id},
    )


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 9 else None


def compare(request, guide_id):
    guide = selectors.guide_for_reader(request.user, guide_id)
    current = guide.current_version.number if guide.current_version else None
    old_number = _number(request.GET.get("from"))
    new_number = _number(request.GET.get("to")) or current
    if old_number is None and new_number:
        old_number = new_number - 1
    if not old_number or not new_number:
        raise Http404
    old, new = selectors.version(guide, old_number), selectors.version(guide, new_number)
    return render(
        request,
        "guides/compare.html",
        {
            "guide": guide,
            "old": old,
            "new": new,
            "changes": changes.compare(old, new),
            "versions": selectors.versions(guide),
        },
    )


@login_required
@require_POST
def guide_action(request, guide_id, action):
    guide = selectors.guide_for_reader(request.user, guide_id)
    if action not in actions.ACTIONS:
        raise Http404
    form = actions.ACTIONS[action](request.POST)
    if not form.is_valid():
        messages.error(request, form.invalid)
        return _back(request, guide)
    done = attempt(request, form.act, guide=guide, by=request.user)
    if done:
        messages.success(request, done.value)
    return _back(request, guide)


def _back(request, guide: Guide):
    """Back to the working copy when the form was sent from it and there is one to show;
    to what readers see otherwise (after publishing, say)."""
    guide.refresh_from_db(fields=["status"])
    if (
        request.POST.get("back") == "draft"
        and guide.status in (Guide.Status.DRAFT, Guide.Status.REVIEW)
        and access.can_manage(request.user, guide)
    ):
        return redirect("guides:draft", guide_id=guide.pk)
    return redirect(guide)


@login_required
@require_POST
def resolve_correction(request, suggestion_id, answer):
    suggestion = CorrectionSuggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None or answer not in ("accept", "dismiss"):
        raise Http404
    guide = selectors.guide_for_reader(request.user, suggestion.guide_id)
    if not access.can_manage(request.user, guide):
        raise Http404
    services.resolve_correction(
        suggestion=suggestion, by=request.user, accepted=answer == "accept"
    )
    messages.success(request, _("Correction answered."))
    return _back(request, guide)


@login_required
@require_POST
def promote(request, post_id):
    post = forum_selectors.post_for_reader(request.user, post_id)
    started = Guide.objects.filter(promoted_from=post).exists()
    promoted = attempt(request, services.promote_answer, post=post, by=request.user)
    if not promoted:
        return redirect(post.get_absolute_url())
    guide = promoted.value
    if started:
        # One guide per answer: someone was quicker, or the page was out of date.
        if access.can_read(request.user, guide):
            messages.info(request, _("A guide was already started from this answer."))
            return redirect(guide)
        messages.info(
            request,
            _("A guide was already started from this answer; its authors can add you to it."),
        )
        return redirect(post.get_absolute_url())
    messages.success(request, _("A draft guide now quotes this answer. Shape it into a guide."))
    return redirect("guides:edit", guide_id=guide.pk)
