"""The diagnostic's pages: a firm takes it page by page and reads its result; coordinators see
their cluster's heatmap and agencies their programme's change; both adapt a copy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from incentives import selectors as incentives
from network import selectors as network_selectors
from readiness import chart_svg, dimensions, scoring, selectors, suggestions
from readiness.forms import PageForm, QuestionForm, ShareForm
from readiness.models import Assessment, Question, Questionnaire
from readiness.services import assessments, questionnaires

HISTORY_COLUMNS = 4  # latest submissions in the table; the chart draws them all
BADGES = {
    dimensions.LOW: "text-bg-danger",
    dimensions.MIDDLE: "text-bg-warning",
    dimensions.HIGH: "text-bg-success",
}


def _rows(scores: dict[str, int]) -> list[dict]:
    return [
        {
            "code": code,
            "name": dimensions.name(code),
            "score": score,
            "band": dimensions.band(score),
            "band_name": dimensions.BAND_NAMES[dimensions.band(score)],
            "badge": BADGES[dimensions.band(score)],
            "explanation": dimensions.explanation(code, score),
        }
        for code, score in ((c, scores[c]) for c in dimensions.CODES if c in scores)
    ]


@login_required
def home(request):
    firm = assessments.firm_of(request.user)
    context = {"firm": firm}
    if firm is not None:
        done = selectors.submitted_of(firm.pk)
        context.update(
            draft=selectors.draft_of(request.user),
            submissions=list(reversed(done)),
            latest=done[-1] if done else None,
        )
        if done:
            context["chart"] = mark_safe(
                chart_svg.history(
                    [(a.submitted_at, a.scores) for a in done],
                    title=_("%(firm)s's scores over time") % {"firm": firm.name},
                )
            )
            shown = list(reversed(done))[:HISTORY_COLUMNS]
            context["history_dates"] = [a.submitted_at for a in shown]
            context["history"] = [
                {"name": d.name, "scores": [a.scores.get(d.code) for a in shown]}
                for d in dimensions.DIMENSIONS
            ]
    return render(request, "readiness/home.html", context)


@login_required
@require_POST
def start(request):
    started = attempt(request, assessments.start_assessment, user=request.user)
    if not started:
        return redirect("readiness:home")
    return redirect(started.value)


@login_required
def page(request, assessment_id, number):
    assessment = selectors.own_assessment(request.user, assessment_id)
    if assessment.status != Assessment.Status.DRAFT:
        return redirect(assessment)
    pages = selectors.pages_of(assessment.questionnaire)
    if not 0 <= number < len(pages):
        raise Http404
    current = pages[number]
    chosen = dict(assessment.answers.values_list("question_id", "choice_id"))
    initial = {f"q{q.pk}": chosen[q.pk] for q in current.questions if q.pk in chosen}
    form = PageForm(request.POST or None, questions=current.questions, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            assessments.save_page,
            form=form,
            assessment=assessment,
            by=request.user,
            page=number,
            answers=form.answers(),
        )
        if saved:
            if "back" in request.POST and number > 0:
                return redirect("readiness:page", assessment.pk, number - 1)
            if "later" in request.POST:
                messages.success(request, _("Saved. Come back to finish whenever you like."))
                return redirect("readiness:home")
            if number + 1 < len(pages):
                return redirect("readiness:page", assessment.pk, number + 1)
            submitted = attempt(
                request, assessments.submit, assessment=assessment, by=request.user
            )
            if submitted:
                return redirect(submitted.value)
            assessment.refresh_from_db()
            return redirect(assessment)
    return render(
        request,
        "readiness/page.html",
        {
            "assessment": assessment,
            "form": form,
            "current": current,
            "number": number,
            "shown_number": number + 1,
            "total": len(pages),
            "last": number + 1 == len(pages),
            "percent": round(100 * number / len(pages)),
        },
    )


@login_required
def result(request, assessment_id):
    assessment, own = selectors.readable_assessment(request.user, assessment_id)
    scores = assessment.scores
    weak = scoring.weakest(scores)
    context = {
        "assessment": assessment,
        "own": own,
        "rows": _rows(scores),
        "strongest": [dimensions.name(c) for c in scoring.strongest(scores)],
        "weakest": [dimensions.name(c) for c in weak],
        "answers": selectors.answers_of(assessment),
        "share_form": ShareForm(initial={"shared": not assessment.shared_with_mentors}),
    }
    if own:
        context["suggested"] = [
            {"name": dimensions.name(entry["code"]), **entry}
            for entry in suggestions.for_dimensions(
                viewer=request.user, organization=assessment.organization, codes=weak
            )
        ]
    return render(request, "readiness/result.html", context)


@login_required
@require_POST
def share(request, assessment_id):
    assessment = selectors.own_assessment(request.user, assessment_id)
    form = ShareForm(request.POST)
    if form.is_valid() and attempt(
        request,
        assessments.set_sharing,
        assessment=assessment,
        by=request.user,
        shared=form.cleaned_data["shared"],
    ):
        if form.cleaned_data["shared"]:
            messages.success(request, _("Your mentors can now read these answers."))
        else:
            messages.success(request, _("Your mentors can no longer read these answers."))
    return redirect("readiness:result", assessment.pk)


def _coordinated(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    if not network_selectors.is_coordinator(user=request.user, cluster=cluster):
        raise Http404
    return cluster


@login_required
def cluster_heatmap(request, slug):
    cluster = _coordinated(request, slug)
    return render(
        request,
        "readiness/heatmap.html",
        {
            "cluster": cluster,
            "heatmap": selectors.heatmap(cluster),
            "bands": [
                (b, dimensions.BAND_NAMES[b], dimensions.BAND_RANGES[b]) for b in dimensions.BANDS
            ],
            "min_firms": selectors.MIN_FIRMS,
            "questionnaires": selectors.editable_questionnaires(cluster=cluster),
            "copy_url": "readiness:cluster_copy",
            "owner_arg": cluster.slug,
        },
    )


@login_required
def programme_change(request, programme_id):
    programme = incentives.programme_for(request.user, programme_id)
    clusters = list(programme.clusters.order_by("name"))
    change = selectors.programme_change([c.pk for c in clusters])
    return render(
        request,
        "readiness/programme.html",
        {
            "programme": programme,
            "clusters": clusters,
            "change": change,
            "left_out": [c for c in clusters if c.pk in change.left_out],
            "min_firms": selectors.MIN_FIRMS,
            "questionnaires": selectors.editable_questionnaires(programme=programme),
            "copy_url": "readiness:programme_copy",
            "owner_arg": programme.pk,
        },
    )


def _copy(request, **owner):
    source = selectors.default_questionnaire()
    if source is None:
        raise Http404
    copied = attempt(
        request, questionnaires.copy_questionnaire, source=source, by=request.user, **owner
    )
    if not copied:
        return None
    messages.success(request, _("A copy to adapt. Publish it when it is ready."))
    return redirect("readiness:questionnaire", copied.value.pk)


@login_required
@require_POST
def cluster_copy(request, slug):
    cluster = _coordinated(request, slug)
    return _copy(request, cluster=cluster) or redirect("readiness:cluster_heatmap", cluster.slug)


@login_required
@require_POST
def programme_copy(request, programme_id):
    programme = incentives.programme_for(request.user, programme_id)
    return _copy(request, programme=programme) or redirect(
        "readiness:programme_change", programme.pk
    )


def _editable(request, questionnaire_id) -> Questionnaire:
    questionnaire = get_object_or_404(
        Questionnaire.objects.select_related("cluster", "programme"), pk=questionnaire_id
    )
    if not questionnaires.may_edit(user=request.user, questionnaire=questionnaire):
        raise Http404
    return questionnaire


@login_required
def questionnaire(request, questionnaire_id):
    questionnaire = _editable(request, questionnaire_id)
    return render(
        request,
        "readiness/questionnaire.html",
        {
            "questionnaire": questionnaire,
            "pages": selectors.pages_of(questionnaire),
            "form": QuestionForm(),
        },
    )


def _question_page(request, questionnaire, form, question=None):
    return render(
        request,
        "readiness/question_form.html",
        {"questionnaire": questionnaire, "form": form, "question": question},
    )


def _save_question(request, questionnaire, form, question=None):
    """Add (no `question`) or edit a question from the editor's form; the page again if not."""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            questionnaires.save_question,
            form=form,
            questionnaire=questionnaire,
            question=question,
            by=request.user,
            dimension=data["dimension"],
            texts=data["texts"],
            weight=data["weight"],
            choices=data["choices"],
        ):
            done = _("Question saved.") if question else _("Question added.")
            messages.success(request, done)
            return redirect("readiness:questionnaire", questionnaire.pk)
    return _question_page(request, questionnaire, form, question)


@login_required
def question_add(request, questionnaire_id):
    questionnaire = _editable(request, questionnaire_id)
    return _save_question(request, questionnaire, QuestionForm(request.POST or None))


@login_required
def question_edit(request, question_id):
    question = get_object_or_404(Question, pk=question_id)
    questionnaire = _editable(request, question.questionnaire_id)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    return _save_question(request, questionnaire, form, question)


@login_required
@require_POST
def question_remove(request, question_id):
    question = get_object_or_404(Question, pk=question_id)
    questionnaire = _editable(request, question.questionnaire_id)
    if attempt(request, questionnaires.remove_question, question=question, by=request.user):
        messages.success(request, _("Question removed."))
    return redirect("readiness:questionnaire", questionnaire.pk)


@login_required
@require_POST
def publish(request, questionnaire_id):
    questionnaire = _editable(request, questionnaire_id)
    if attempt(request, questionnaires.publish, questionnaire=questionnaire, by=request.user):
        messages.success(request, _("Published: firms take this version from now on."))
    return redirect("readiness:questionnaire", questionnaire.pk)


@login_required
@require_POST
def new_version(request, questionnaire_id):
    questionnaire = _editable(request, questionnaire_id)
    draft = attempt(
        request, questionnaires.start_new_version, questionnaire=questionnaire, by=request.user
    )
    return redirect("readiness:questionnaire", draft.value.pk if draft else questionnaire.pk)
