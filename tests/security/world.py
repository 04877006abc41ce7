"""Two private clusters, two agencies, and objects of every kind on both sides.

Side "a" is the one the matrix aims at; side "b" is its mirror, whose people play the
outsiders who know the network well (a coordinator and an officer elsewhere), and whose
objects the object-level checks slip into side a's requests.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from evidence import computation, links
from evidence import imports as evidence
from evidence.models import Evaluation, ImportBatch
from forums import services as forums
from forums.models import Announcement, Post, Room, Topic
from guides import services as guides
from guides.models import CorrectionSuggestion, Guide
from incentives import services as incentives
from incentives.models import ApiToken, Contribution, Programme, Referral
from mentoring.models import (
    ExportRecord,
    Goal,
    GoalTemplate,
    MentorInvitation,
    MentorOffer,
    Milestone,
    Pairing,
    Session,
)
from mentoring.services import calendars, goals, invitations, offers, pairings, sessions
from network import services as network
from network.models import (
    Cluster,
    Invitation,
    InvitationBatch,
    Membership,
    Organization,
    Sponsorship,
    User,
)
from network.services import sponsorships
from readiness.models import Assessment, Questionnaire
from readiness.selectors import default_questionnaire
from readiness.services import assessments as readiness
from readiness.services import questionnaires
from tests.factories import (
    AgencyFactory,
    ClusterFactory,
    ForumFactory,
    OfficerFactory,
    OrganizationFactory,
    SponsorshipFactory,
    UserFactory,
    add_member,
)
from tests.readiness.conftest import shipped, take

# Members no more: the matrix holds them to the outsider's answers.
FORMER_ROLES = ("suspended_mentor", "former_coordinator")
# Reads and follows the cluster's forum as its members do, and writes nothing in it.
OBSERVER = "observer"
ROLES = (
    "anonymous",
    "outsider",
    "follower",
    "mentor",
    "other_coordinator",
    "coordinator",
    "other_officer",
    "officer",
)


@dataclass
class Side:
    """One cluster, its sponsoring agency, and one object of each kind in them."""

    name: str
    agency: object
    officer: User
    cluster: Cluster
    coordinator: User
    mentor: User
    follower: User
    applicant: User  # asked to join; waits for a coordinator
    newcomer: User  # a follower with needs and no mentor yet
    suspended: User  # a mentor, suspended
    former: User  # a coordinator who left
    observer: User  # an officer of the sponsoring agency, observing the cluster
    offer: MentorOffer
    room: Room
    topic: Topic  # a question asked by the follower
    question: Post
    answer: Post  # the mentor's reply, accepted
    reply: Post  # the coordinator's reply
    pairing: Pairing  # mentor and follower, active
    conversation: Topic  # the pairing's private conversation
    session: Session  # one-to-one, upcoming
    past_session: Session  # one-to-one, held, waiting for the follower's confirmation
    group_session: Session  # the coordinator's, upcoming
    goal: Goal
    milestone: Milestone
    export: ExportRecord  # the follower's firm's
    mentor_invitation: MentorInvitation  # the follower's: their firm exported two years running
    programme: Programme
    credited: Contribution  # the mentor's session, credited
    pending: Contribution  # waiting for the follower to confirm
    review: Contribution  # waiting for a coordinator
    feed_token: str  # the follower's calendar
    guide: Guide  # published twice, for the cluster
    draft: Guide  # the mentor's, not yet published
    suggestion: CorrectionSuggestion
    invitation: Invitation
    sponsorship: Sponsorship  # the agency's of the cluster: asked, accepted, active
    sponsorship_offer: Sponsorship  # a third agency's offer to the cluster, unanswered
    open_cluster: Cluster  # public, someone else's, without a sponsor
    sponsorship_request: Sponsorship  # the open cluster asks the agency, unanswered
    api_key: str  # the officer's
    api_token: ApiToken
    # Words that mark this side's private things, by who may see them (see matrix.SEES).
    secrets: dict[str, str] = field(default_factory=dict)
    registry: ImportBatch | None = None  # the agency's firms file, imported
    preview: ImportBatch | None = None  # its customs file, checked, waiting for confirmation
    evaluation: Evaluation | None = None  # the programme's estimates, done: the report prints
    invitation_list: InvitationBatch | None = None  # a CSV of people, previewed, not sent
    announcement: Announcement | None = None  # the coordinator's, to the whole cluster
    # The agency's referrals to the other side's programme: the newcomer's firm, waiting for
    # the other agency's answer; the mentor's firm, accepted by it.
    referral: Referral | None = None
    accepted_referral: Referral | None = None
    # The follower's firm's diagnostic, submitted and shared with its mentors, and its draft
    # of the next run; the cluster's adapted questionnaire (a draft) and the programme's
    # (published).
    assessment: Assessment | None = None
    assessment_draft: Assessment | None = None
    questionnaire: Questionnaire | None = None
    programme_questionnaire: Questionnaire | None = None
    goal_template: GoalTemplate | None = None  # shipped, for logistics and customs


@dataclass
class World:
    a: Side
    b: Side
    outsider: User
    # Keys to the agency API held by people who are no agency's officer (they left one).
    stale_keys: dict[str, str]
    # A public cluster none of the roles belongs to, run by someone outside both sides.
    public_cluster: Cluster | None = None

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "follower": self.a.follower,
            "mentor": self.a.mentor,
            "other_coordinator": self.b.coordinator,
            "coordinator": self.a.coordinator,
            "other_officer": self.b.officer,
            "officer": self.a.officer,
            "suspended_mentor": self.a.suspended,
            "former_coordinator": self.a.former,
            "observer": self.a.observer,
        }[role]

    def api_key(self, role: str) -> str | None:
        if role == "officer":
            return self.a.api_key
        if role == "other_officer":
            return self.b.api_key
        return self.stale_keys.get(role)


def _person(name: str, organization=None) -> User:
    """Someone at `organization`, or at a firm of their own named after them."""
    organization = organization or OrganizationFactory(name=f"{name} S.A.")
    return UserFactory(name=name, organization=organization)


def _side(name: str, word: str, content: str, conversation: str) -> Side:
    """Marker words, so a page that shows what it should not is caught: `word` is in the
    cluster's and its people's names, `content` in what members write and plan, and
    `conversation` in what the pairing's two people say to each other."""
    agency = AgencyFactory(name=f"Agencia {name}")
    officer = OfficerFactory(name=f"Olga {name}", organization=agency)
    coordinator = _person(f"Carla {name}")
    cluster = ClusterFactory(
        coordinator=coordinator, name=f"Cluster {word}", visibility=Cluster.Visibility.PRIVATE
    )
    sponsorship = sponsorships.accept_sponsorship(
        sponsorship=sponsorships.request_sponsorship(
            cluster=cluster, agency=agency, by=coordinator
        ),
        by=officer,
    )
    sponsorship_offer = SponsorshipFactory(
        cluster=cluster, agency__name=f"Agencia Gamma {name}", offered=True
    )
    opener = _person(f"Pia {name}")
    open_cluster = ClusterFactory(coordinator=opener, name=f"Cluster abierto {name}")
    sponsorship_request = sponsorships.request_sponsorship(
        cluster=open_cluster, agency=agency, by=opener
    )
    mentor = add_member(cluster, _person(f"Mateo {name}"), role="mentor")
    follower = add_member(cluster, _person(f"Fabi {word}"))
    applicant = add_member(cluster, _person(f"Ana {name}"), status=Membership.Status.REQUESTED)
    offer = offers.save_offer(
        user=mentor,
        cluster=cluster,
        capacity=3,
        products=["0901"],
        markets=["DE"],
        languages=["es"],
        accepts_competitors=True,
    )
    newcomer = add_member(cluster, _person(f"Nico {name}"))
    suspended = add_member(
        cluster, _person(f"Sara {name}"), role="mentor", status=Membership.Status.SUSPENDED
    )
    former = add_member(
        cluster, _person(f"Fede {name}"), role="coordinator", status=Membership.Status.LEFT
    )
    observer = add_member(
        cluster, OfficerFactory(name=f"Olivia {name}", organization=agency), role="observer"
    )
    for person in (follower, newcomer):
        offers.save_needs(user=person, products=["0901"], markets=["DE"], languages=["es"])

    room = ForumFactory(cluster=cluster)
    topic = forums.start_topic(
        room=room,
        author=follower,
        title=f"Precio {content}",
        body=f"Nuestro precio {content} para Hamburgo?",
        kind=Topic.Kind.QUESTION,
    )
    question = topic.posts.get()
    answer = forums.post_reply(topic=topic, author=mentor, body=f"Respuesta {content}: FOB.")
    reply = forums.post_reply(topic=topic, author=coordinator, body="O CIF, según el caso.")
    forums.accept_answer(post=answer, by=follower)

    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=follower, offer=offer), by=mentor
    )
    pairing.refresh_from_db()
    forums.post_reply(
        topic=pairing.conversation, author=follower, body=f"Nuestro margen {conversation}: 12%."
    )
    start = (timezone.now() + datetime.timedelta(days=10)).replace(tzinfo=None, microsecond=0)
    session = sessions.schedule_session(
        by=mentor,
        pairing=pairing,
        title=f"Sesión {content}",
        local_start=start,
        time_zone="UTC",
        duration_minutes=60,
    )
    past_session = sessions.schedule_session(
        by=mentor,
        pairing=pairing,
        title=f"Sesión pasada {content}",
        local_start=start,
        time_zone="UTC",
        duration_minutes=60,
    )
    Session.objects.filter(pk=past_session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3)
    )
    group_session = sessions.schedule_session(
        by=coordinator,
        cluster=cluster,
        title=f"Taller {content}",
        local_start=start,
        time_zone="UTC",
        duration_minutes=90,
        capacity=20,
    )
    goal = goals.add_goal(
        pairing=pairing,
        by=follower,
        outcome=Goal.Outcome.ENTRY,
        title=f"Meta {content}",
        year=timezone.now().year + 1,
    )
    milestone = goals.add_milestone(goal=goal, by=follower, title=f"Hito {content}")
    export = ExportRecord.objects.create(
        organization=follower.profile.organization,
        year=timezone.now().year - 1,
        hs_code="0901",
        country="US",
        value_band="lt1m",
    )
    # The follower's firm exported the year before too: its follower is invited to mentor.
    (mentor_invitation,) = invitations.invite_exporter(
        organization=follower.profile.organization,
        exports=[(export.year - 1, "0901", "US"), (export.year, "0901", "US")],
        source="recorded",
    )

    today = datetime.date.today()
    programme = incentives.create_programme(
        by=officer,
        name=f"Programa {name}",
        clusters=[cluster],
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today + datetime.timedelta(days=400),
        unit="USD",
        budget=Decimal("1000"),
        cap_per_member_month=None,
        cap_per_pair_month=None,
    )
    for kind, confirmer in [("session_held", "counterpart"), ("useful_post", "coordinator")]:
        incentives.set_rule(
            programme=programme,
            by=officer,
            kind=kind,
            amount=Decimal("10"),
            confirmer=confirmer,
            min_attendees=0,
        )
    credited = incentives.record_contribution(
        kind="session_held",
        actor=mentor,
        counterpart=follower,
        cluster=cluster,
        source=f"security.credited:{name}",
        confirmed_by=follower,
        title="Sesión acreditada",
    )
    pending = incentives.record_contribution(
        kind="session_held",
        actor=mentor,
        counterpart=follower,
        cluster=cluster,
        source=f"security.pending:{name}",
        title="Sesión por confirmar",
    )
    review = incentives.record_contribution(
        kind="useful_post",
        actor=mentor,
        counterpart=follower,
        cluster=cluster,
        source=f"security.review:{name}",
        title="Mensaje útil",
    )
    feed_token = calendars.ensure_feed(user=follower).token

    guide = guides.create_guide(
        cluster_id=cluster.pk,
        by=mentor,
        title=f"Guía {content}",
        summary="Papeles del primer contenedor.",
        body="Registro REX.\nOrigen en la factura.",
        language="es",
        products=["0901"],
        markets=["DE"],
        topics=["origin"],
    )
    for note in ("primera", "segunda"):
        if note == "segunda":
            guides.update_draft(
                guide=guide,
                by=mentor,
                title=guide.title,
                summary=guide.summary,
                body=guide.body + "\nAnálisis de ocratoxina.",
                language="es",
                products=["0901"],
                markets=["DE"],
                topics=["origin"],
            )
        guides.submit_for_review(guide=guide, by=mentor)
        guides.publish(guide=guide, by=coordinator, note=note)
        guide.refresh_from_db()
    draft = guides.create_guide(
        cluster_id=cluster.pk,
        by=mentor,
        title=f"Borrador {content}",
        summary="Aún no.",
        body="Por escribir.",
        language="es",
    )
    suggestion = guides.suggest_correction(guide=guide, by=follower, text="Falta el EUR.1.")
    invitation = network.invite_member(
        cluster=cluster,
        by=coordinator,
        email=f"invitada-{name.lower()}@example.org",
        role="mentor",
    )
    invitation_list = network.preview_invitations(
        cluster=cluster,
        by=coordinator,
        content=f"email,role,name\nlista-{name.lower()}@example.org,follower,Lista\n".encode(),
        file_name="lista.csv",
    )
    announcement = forums.announce(
        cluster=cluster, by=coordinator, title=f"Aviso {content}", body="Reunión el jueves."
    )
    api_token, api_key = incentives.issue_api_key(by=officer, name="Informes")

    registry, preview = _evidence(
        officer,
        word,
        (follower.profile.organization, newcomer.profile.organization),
        TAX_IDS[name],
    )
    evaluation = computation.evaluate_now(programme=programme)

    assessment = readiness.set_sharing(assessment=take(follower), by=follower, shared=True)
    assessment_draft = readiness.start_assessment(user=follower)
    questionnaire = questionnaires.copy_questionnaire(
        source=default_questionnaire(), by=coordinator, cluster=cluster
    )
    programme_questionnaire = questionnaires.publish(
        questionnaire=questionnaires.copy_questionnaire(
            source=default_questionnaire(), by=officer, programme=programme
        ),
        by=officer,
    )

    for obj in (cluster, topic, pairing, session, group_session, goal, programme, guide):
        obj.refresh_from_db()
    return Side(
        name=name,
        agency=agency,
        officer=officer,
        cluster=cluster,
        coordinator=coordinator,
        mentor=mentor,
        follower=follower,
        applicant=applicant,
        newcomer=newcomer,
        suspended=suspended,
        former=former,
        observer=observer,
        offer=offer,
        room=room,
        topic=topic,
        question=question,
        answer=answer,
        reply=reply,
        pairing=pairing,
        conversation=pairing.conversation,
        session=session,
        past_session=past_session,
        group_session=group_session,
        goal=goal,
        milestone=milestone,
        export=export,
        mentor_invitation=mentor_invitation,
        programme=programme,
        credited=credited,
        pending=pending,
        review=review,
        feed_token=feed_token,
        guide=guide,
        draft=draft,
        suggestion=suggestion,
        invitation=invitation,
        sponsorship=sponsorship,
        sponsorship_offer=sponsorship_offer,
        open_cluster=open_cluster,
        sponsorship_request=sponsorship_request,
        api_key=api_key,
        api_token=api_token,
        secrets={"name": word, "content": content, "conversation": conversation},
        registry=registry,
        preview=preview,
        evaluation=evaluation,
        invitation_list=invitation_list,
        announcement=announcement,
        assessment=assessment,
        assessment_draft=assessment_draft,
        questionnaire=questionnaire,
        programme_questionnaire=programme_questionnaire,
        goal_template=GoalTemplate.objects.get(dimension="logistics"),
    )


# Each side's registry holds its follower's firm (confirmed by the officer) and its newcomer's
# (linked by the tax id it typed, awaiting confirmation).
TAX_IDS = {"Alfa": ("20100047218", "20131312955"), "Beta": ("20100070970", "20100128056")}
REGISTRY_CSV = "tax_id,id_scheme,name\n{first},RUC,Firma {word}\n{second},RUC,Firma Dos\n"
CUSTOMS_CSV = (
    "tax_id,id_scheme,period,tariff_code,destination,fob_usd\n"
    "{first},RUC,2022,0901119000,US,100\n20100047219,RUC,2022,0901119000,US,5\n"
)


def _evidence(
    officer: User, word: str, firms: tuple[Organization, Organization], tax_ids: tuple[str, str]
) -> tuple[ImportBatch, ImportBatch]:
    """The registry's firm is named with the side's word: only its agency may see it."""
    first, second = tax_ids
    registry = evidence.upload(
        by=officer,
        kind="firms",
        file_name="registro.csv",
        content=REGISTRY_CSV.format(word=word, first=first, second=second).encode(),
    )
    evidence.check(registry.pk)
    evidence.confirm(batch=registry, by=officer)
    registry = evidence.write(registry.pk)
    preview = evidence.upload(
        by=officer,
        kind="customs",
        file_name="aduana.csv",
        content=CUSTOMS_CSV.format(first=first).encode(),
    )
    for firm, tax_id in zip(firms, tax_ids, strict=True):
        Organization.objects.filter(pk=firm.pk).update(tax_id_scheme="RUC", tax_id=tax_id)
    links.confirm_link(officer=officer, organization=firms[0])
    return registry, evidence.check(preview.pk)


def build_world() -> World:
    shipped()
    a = _side("Alfa", "Zafiro", "Turquesa", "Ambar")
    b = _side("Beta", "Obsidiana", "Jaspe", "Onice")
    world = World(a=a, b=b, outsider=_person("Otto Outsider"), stale_keys={})
    for side, other in ((a, b), (b, a)):
        side.referral, side.accepted_referral = (
            incentives.refer_firm(
                by=side.officer,
                firm=person.profile.organization,
                programme=other.programme,
                note="Primer pedido en firme: crédito de preembarque.",
            )
            for person in (side.newcomer, side.mentor)
        )
        incentives.accept_referral(referral=side.accepted_referral, by=other.officer)
    for role in ("outsider", "follower", "mentor", "other_coordinator", "coordinator"):
        _token, world.stale_keys[role] = ApiToken.issue(user=world.user(role), name="Old key")
    world.public_cluster = ClusterFactory(
        coordinator=_person("Pablo Abierto"),
        name="Cluster abierto",
        visibility=Cluster.Visibility.PUBLIC,
    )
    return world
