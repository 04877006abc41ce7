"""The diagnostic as a firm takes it, as an editor adapts it, and what it lets others see."""

import datetime

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from readiness import scoring, selectors
from readiness.models import Assessment, Question
from readiness.selectors import pages_of
from readiness.services import assessments, questionnaires, reminders
from tests.factories import OrganizationFactory, UserFactory, add_member
from tests.readiness.conftest import take

pytestmark = pytest.mark.django_db


def test_the_shipped_questionnaire_asks_about_all_nine_dimensions_in_three_languages(default):
    pages = pages_of(default)
    assert [page.dimension for page in pages] == list(scoring.dimensions.CODES)
    questions = [q for page in pages for q in page.questions]
    assert 18 <= len(questions) <= 30  # under 10 minutes
    assert all(set(q.text) == {"es", "pt-br", "en"} for q in questions)


def test_scores_are_weighted_shares_of_the_best_answers():
    answers = [
        scoring.Scored("logistics", 2, 3, 3),
        scoring.Scored("logistics", 1, 0, 3),
        scoring.Scored("finance", 1, 1, 3),
    ]
    scores = scoring.dimension_scores(answers)
    assert scores == {"logistics": 67, "finance": 33}
    assert scoring.weakest(scores) == ["finance", "logistics"]
    assert scoring.strongest({"finance": 90, "logistics": 20, "digital": 75}) == [
        "finance",
        "digital",
    ]


def test_a_firm_takes_it_page_by_page_and_gets_a_score_per_dimension(firm_person):
    result = take(firm_person, level=3, levels={"logistics": 0, "finance": 1})
    assert result.status == Assessment.Status.SUBMITTED
    assert result.scores["logistics"] == 0
    assert result.scores["finance"] == 33
    assert result.scores["digital"] == 100
    assert scoring.weakest(result.scores)[0] == "logistics"


def test_a_draft_resumes_where_the_firm_left_it_even_for_a_colleague(firm_person, cluster):
    colleague = add_member(
        cluster, UserFactory(name="Colega", organization=firm_person.profile.organization)
    )
    draft = assessments.start_assessment(user=firm_person)
    page = pages_of(draft.questionnaire)[0]
    answers = {q.pk: q.choices.all()[1].pk for q in page.questions}
    assessments.save_page(assessment=draft, by=firm_person, page=0, answers=answers)
    again = assessments.start_assessment(user=colleague)
    assert again.pk == draft.pk and again.page == 1
    assert again.answers.count() == len(page.questions)
    with pytest.raises(DomainError):  # the rest is not answered yet
        assessments.submit(assessment=again, by=colleague)


def test_an_answer_from_another_question_is_refused(firm_person):
    draft = assessments.start_assessment(user=firm_person)
    pages = pages_of(draft.questionnaire)
    other = pages[1].questions[0].choices.all()[0]
    with pytest.raises(DomainError):
        assessments.save_page(
            assessment=draft,
            by=firm_person,
            page=0,
            answers={pages[0].questions[0].pk: other.pk},
        )


def test_someone_of_another_firm_cannot_touch_the_draft(firm_person):
    draft = assessments.start_assessment(user=firm_person)
    stranger = UserFactory(organization=OrganizationFactory())
    with pytest.raises(NotAllowed):
        assessments.save_page(assessment=draft, by=stranger, page=0, answers={})
    with pytest.raises(NotAllowed):
        assessments.set_sharing(assessment=draft, by=stranger, shared=True)


def test_a_published_version_never_changes_and_an_edit_makes_the_next(cluster, default):
    coordinator = cluster.memberships.get(role="coordinator").user
    copy = questionnaires.copy_questionnaire(source=default, by=coordinator, cluster=cluster)
    questionnaires.publish(questionnaire=copy, by=coordinator)
    question = copy.questions.first()
    change = {
        "dimension": "logistics",
        "texts": {"es": "¿Otra pregunta?"},
        "weight": 2,
        "choices": [({"es": "No"}, 0), ({"es": "Sí"}, 3)],
    }
    with pytest.raises(DomainError):
        questionnaires.save_question(
            questionnaire=copy, by=coordinator, question=question, **change
        )
    with pytest.raises(DomainError):
        questionnaires.remove_question(question=question, by=coordinator)
    draft = questionnaires.start_new_version(questionnaire=copy, by=coordinator)
    assert (draft.family, draft.version) == (copy.family, 2)
    edited = draft.questions.get(position=question.position)
    questionnaires.save_question(questionnaire=draft, by=coordinator, question=edited, **change)
    question.refresh_from_db()
    assert question.text != {"es": "¿Otra pregunta?"}  # the published one kept its words
    questionnaires.publish(questionnaire=draft, by=coordinator)
    member = add_member(cluster, UserFactory(organization=OrganizationFactory()))
    assert selectors.questionnaire_for(member) == draft


def test_only_the_clusters_coordinators_adapt_its_copy(cluster, firm_person, default):
    with pytest.raises(NotAllowed):
        questionnaires.copy_questionnaire(source=default, by=firm_person, cluster=cluster)
    assert not questionnaires.may_edit(user=firm_person, questionnaire=default)


def test_the_mentor_reads_the_answers_only_while_the_firm_shares_them(cluster, firm_person):
    from mentoring.models import Pairing

    mentor = add_member(cluster, UserFactory(name="Mateo"), role="mentor")
    Pairing.objects.create(
        cluster=cluster,
        offer=_offer(mentor, cluster),
        mentor=mentor,
        follower=firm_person,
        status=Pairing.Status.ACTIVE,
    )
    result = take(firm_person)
    with pytest.raises(Http404):
        selectors.readable_assessment(mentor, result.pk)
    assessments.set_sharing(assessment=result, by=firm_person, shared=True)
    assert selectors.readable_assessment(mentor, result.pk) == (result, False)
    assessments.set_sharing(assessment=result, by=firm_person, shared=False)
    with pytest.raises(Http404):
        selectors.readable_assessment(mentor, result.pk)
    assert selectors.readable_assessment(firm_person, result.pk) == (result, True)


def _offer(mentor, cluster, strengths=()):
    from mentoring.services import offers

    return offers.save_offer(user=mentor, cluster=cluster, capacity=2, strengths=strengths)


def _firms(cluster, count, **levels):
    for _ in range(count):
        take(add_member(cluster, UserFactory(organization=OrganizationFactory())), **levels)


def test_the_heatmap_suppresses_groups_under_five_firms(cluster):
    _firms(cluster, 4, level=0)
    heatmap = selectors.heatmap(cluster)
    assert heatmap.firms is None
    assert all(cell["count"] is None for row in heatmap.rows for cell in row["cells"])
    _firms(cluster, 1, level=0)
    _firms(cluster, 5, level=3)
    heatmap = selectors.heatmap(cluster)
    assert heatmap.firms == 10
    row = next(row for row in heatmap.rows if row["code"] == "logistics")
    assert [cell["count"] for cell in row["cells"]] == [5, None, 5]


def test_the_programme_sees_change_only_among_five_firms_that_rerun(cluster):
    people = [
        add_member(cluster, UserFactory(organization=OrganizationFactory())) for _ in range(5)
    ]
    for person in people:
        take(person, level=1)
    for person in people[:4]:
        take(person, level=3)
    change = selectors.programme_change([cluster.pk])
    assert change.firms is None and all(row["change"] is None for row in change.rows)
    take(people[4], level=3)
    change = selectors.programme_change([cluster.pk])
    assert change.firms == 5
    assert {row["change"] for row in change.rows} == {67}


def test_reminders_go_once_at_six_and_at_twelve_months(firm_person, commit):
    result = take(firm_person)
    now = timezone.now()
    with commit():
        assert reminders.send_due_reminders(now=now + datetime.timedelta(days=100)) == 0
    mail.outbox.clear()
    seven = now + datetime.timedelta(days=212)
    with commit():
        assert reminders.send_due_reminders(now=seven) == 1
        assert reminders.send_due_reminders(now=seven) == 0
    assert [m.to[0] for m in mail.outbox] == [firm_person.email]
    with commit():
        assert reminders.send_due_reminders(now=now + datetime.timedelta(days=370)) == 1
        assert reminders.send_due_reminders(now=now + datetime.timedelta(days=400)) == 0
    result.refresh_from_db()
    assert result.reminded_6_at and result.reminded_12_at


def test_a_rerun_moves_the_reminders_to_the_new_submission(firm_person):
    first = take(firm_person)
    Assessment.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=200)
    )
    take(firm_person)
    assert reminders.send_due_reminders() == 0


def test_matching_tells_the_follower_the_mentor_is_strong_in_its_shared_weakest_dimension(
    cluster, firm_person
):
    from django.utils import translation

    from mentoring import scoring as mentoring_scoring
    from mentoring.models import MentorOffer
    from mentoring.selectors.matching import follower_facts, mentor_facts

    result = take(firm_person, level=3, levels={"logistics": 0, "finance": 1})
    assessments.set_sharing(assessment=result, by=firm_person, shared=True)
    strong = add_member(cluster, UserFactory(name="Lucía"), role="mentor")
    plain = add_member(cluster, UserFactory(name="Pedro"), role="mentor")
    _offer(strong, cluster, strengths=["logistics", "digital"])
    _offer(plain, cluster)
    offers = list(MentorOffer.objects.select_related("user__profile"))
    for offer in offers:
        offer.open_places = offer.capacity
    (follower,) = follower_facts([firm_person], cluster_ids={})
    assert follower.weak_dimensions[:2] == ("logistics", "finance")
    matches = {
        facts.user_id: mentoring_scoring.score(facts, follower) for facts in mentor_facts(offers)
    }
    assert (
        matches[strong.pk].score - matches[plain.pk].score == mentoring_scoring.WEIGHTS["strength"]
    )
    with translation.override("en"):
        reasons = mentoring_scoring.describe_all(matches[strong.pk].reasons, to_follower=True)
    assert "strong in logistics and customs, your weakest dimension" in reasons


def test_questions_of_a_removed_draft_question_are_gone(cluster, default):
    coordinator = cluster.memberships.get(role="coordinator").user
    copy = questionnaires.copy_questionnaire(source=default, by=coordinator, cluster=cluster)
    question = copy.questions.first()
    questionnaires.remove_question(question=question, by=coordinator)
    assert not Question.objects.filter(pk=question.pk).exists()
    assert default.questions.count() == copy.questions.count() + 1


def test_a_goal_template_adopted_into_a_pairing_brings_its_steps(cluster, firm_person):
    from mentoring.models import Goal, GoalTemplate, Pairing
    from mentoring.services import goals

    mentor = add_member(cluster, UserFactory(name="Mateo"), role="mentor")
    pairing = Pairing.objects.create(
        cluster=cluster,
        offer=_offer(mentor, cluster),
        mentor=mentor,
        follower=firm_person,
        status=Pairing.Status.ACTIVE,
        started_at=timezone.now(),
    )
    template = GoalTemplate.objects.get(dimension="logistics")
    goal = goals.adopt_template(
        template=template, pairing=pairing, by=firm_person, year=timezone.now().year + 1
    )
    assert goal.outcome == Goal.Outcome.ENTRY
    assert goal.title == template.display_title
    assert [m.title for m in goal.milestones.all()] == template.display_steps


def test_suggestions_read_the_shared_weak_dimensions_with_the_needs(cluster, firm_person):
    from core import memo
    from mentoring.selectors.matching import active_cluster_ids, ranked_mentors
    from mentoring.services import offers

    result = take(firm_person, level=3, levels={"finance": 0})
    assessments.set_sharing(assessment=result, by=firm_person, shared=True)
    offers.save_needs(user=firm_person, products=["0901"], markets=["DE"], languages=["es"])
    strong = add_member(cluster, UserFactory(name="Lucía"), role="mentor")
    _offer(strong, cluster, strengths=["finance"])
    with memo.page_scope():
        ranked = ranked_mentors(firm_person, active_cluster_ids(firm_person))
    (match, offer), *_rest = ranked
    assert offer.user == strong
    assert {"code": "strength", "dimension": "finance", "weakest": True} in match.reasons
