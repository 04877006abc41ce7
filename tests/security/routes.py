"""Who gets what from every route: the expectations the authorisation matrix checks.

Keyed by URL name. The matrix discovers the names from the URL configuration and fails
when a name is missing here, so a new route cannot ship unclassified.

Answers, per role:

    "200", "201", "302", "401", "403", "404", "405"   that status, exactly
    "login"   a redirect to the sign-in page (given before anything is looked up,
              so it tells nothing about what exists)
    "staff"   a redirect to the admin's sign-in page
    "ok"      (writes) done: a 2xx or a redirect, and the database changed
    "ok?"     (writes) allowed, but whether it changes anything depends on the day
    "no"      (writes) refused with a message: a 2xx or a redirect, nothing changed

Every write answered otherwise than "ok"/"ok?" must leave the database as it was.
"403" is only expected where the person can already see the object (a member of the
cluster who lacks the role); to anyone outside, private things answer 404.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.mentoring.conftest import cohort_form
from tests.security.world import ROLES, Side, World

Kwargs = Callable[[Side, World], dict]
Data = Callable[[Side, World], dict]


@dataclass(frozen=True)
class Probe:
    method: str
    expect: dict[str, str]
    kwargs: Kwargs | None = None
    data: Data | None = None
    query: str = ""
    label: str = ""
    json: bool = False
    api: bool = False  # the agency API: the role's bearer key instead of its session
    # The URL names an object of one cluster or programme: the object-level check replays
    # it with the other side's object for the people of this side.
    scoped: bool = False
    # A bearer link (an invitation, a calendar feed): whoever holds it sees what it names.
    shows_private: bool = False
    extra: dict = field(default_factory=dict)  # more URL kwargs, such as the action


def exp(default: str, **roles: str) -> dict[str, str]:
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES}


def everyone(answer: str = "200", **roles) -> dict[str, str]:
    return exp(answer, **roles)


def signed_in(answer: str = "200", **roles) -> dict[str, str]:
    return exp(answer, **{"anonymous": "login", **roles})


def members(answer: str = "200", *, anonymous: str = "404", **roles) -> dict[str, str]:
    """The cluster's follower, mentor and coordinator; 404 to everyone else."""
    base = {"follower": answer, "mentor": answer, "coordinator": answer}
    return exp("404", anonymous=anonymous, **{**base, **roles})


def coordinator(answer: str, *, anonymous: str = "login", members: str = "404", **roles):
    base = {"follower": members, "mentor": members, "coordinator": answer}
    return exp("404", anonymous=anonymous, **{**base, **roles})


def officer(answer: str, *, anonymous: str = "login", **roles) -> dict[str, str]:
    return exp("404", anonymous=anonymous, officer=answer, **roles)


def api(answer: str, *, other_officer: str = "404") -> dict[str, str]:
    """Bearer keys: no key or a key of someone who is no officer is 401."""
    return exp("401", other_officer=other_officer, officer=answer)


def _month(delta_months: int = 0) -> datetime.date:
    today = timezone.localdate().replace(day=1)
    for _ in range(-delta_months):
        today = (today - datetime.timedelta(days=1)).replace(day=1)
    return today


def _later(days: int = 20) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def slug(s: Side, w: World) -> dict:
    return {"slug": s.cluster.slug}


def _invitation_list(s: Side, w: World) -> dict:
    return {"slug": s.cluster.slug, "batch_id": s.invitation_list.pk}


def _people() -> dict:
    content = b"email,role,name\nnueva-lista@example.org,mentor,Nueva\n"
    return {"file": SimpleUploadedFile("personas.csv", content)}


def room(s: Side, w: World) -> dict:
    return {"room_id": s.room.pk}


def topic(s: Side, w: World) -> dict:
    return {"topic_id": s.topic.pk}


def conversation(s: Side, w: World) -> dict:
    return {"topic_id": s.conversation.pk}


def conversation_room(s: Side, w: World) -> dict:
    return {"room_id": s.conversation.room_id}


# The pairing's private conversation: its two people only, not even a coordinator.
PARTIES = {"coordinator": "404"}


def pairing(s: Side, w: World) -> dict:
    return {"pairing_id": s.pairing.pk}


def session(s: Side, w: World) -> dict:
    return {"session_id": s.session.pk}


def past_session(s: Side, w: World) -> dict:
    return {"session_id": s.past_session.pk}


def group_session(s: Side, w: World) -> dict:
    return {"session_id": s.group_session.pk}


def goal(s: Side, w: World) -> dict:
    return {"goal_id": s.goal.pk}


def question(s: Side, w: World) -> dict:
    return {"post_id": s.question.pk}


def offer(s: Side, w: World) -> dict:
    return {"offer_id": s.offer.pk}


def programme(s: Side, w: World) -> dict:
    return {"programme_id": s.programme.pk}


def referral(s: Side, w: World) -> dict:
    return {"referral_id": s.referral.pk}


def accepted_referral(s: Side, w: World) -> dict:
    return {"referral_id": s.accepted_referral.pk}


# A referral: the agency that sent it and the one it was sent to (the other side's) read it;
# only the receiving agency answers, and the sender is told so. Everyone else: 404.
def _referral_answer() -> dict[str, str]:
    return officer("no", other_officer="ok")


def guide(s: Side, w: World) -> dict:
    return {"guide_id": s.guide.pk}


def _with(base: Kwargs, **more) -> Kwargs:
    return lambda s, w: {
        **base(s, w),
        **{k: v(s, w) if callable(v) else v for k, v in more.items()},
    }


def GET(expect, kwargs=None, **opts) -> Probe:
    return Probe("GET", expect, kwargs, **{"scoped": kwargs is not None, **opts})


def POST(expect, kwargs=None, data=None, **opts) -> Probe:
    return Probe("POST", expect, kwargs, data, **{"scoped": kwargs is not None, **opts})


def _const(**values) -> Data:
    return lambda s, w: values


NEW_SESSION = {"title": "Nueva sesión", "time_zone": "UTC", "duration_minutes": "60"}
PROFILE = {"display_name": "Nombre nuevo", "time_zone": "UTC", "languages": ["es"]}
FIRM = {"name": "Mi firma", "kind": "firm", "country": "CO", "size": "small"}

NETWORK = {
    "home": [GET(everyone())],
    "healthz": [GET(everyone())],
    "cluster_list": [GET(everyone())],
    "cluster_create": [
        GET(signed_in()),
        POST(
            signed_in("ok"),
            data=_const(name="Nuevo", sector="agrifood", country="CO", visibility="private"),
        ),
    ],
    "cluster": [GET(members(), slug)],
    "cluster_edit": [
        GET(coordinator("200", anonymous="404", members="403"), slug),
        POST(
            coordinator("ok", anonymous="404", members="403"),
            slug,
            lambda s, w: {
                "name": "Renombrado",
                "sector": "agrifood",
                "country": "CO",
                "visibility": "private",
                "sponsor": s.agency.pk,
            },
        ),
    ],
    "cluster_members": [GET(members(), slug)],
    "cluster_manage": [GET(coordinator("200", anonymous="404", members="403"), slug)],
    "cluster_invite": [
        POST(
            coordinator("ok", anonymous="404", members="403"),
            slug,
            _const(email="nueva@example.org", role="follower"),
        )
    ],
    "invitation_list_upload": [
        GET(coordinator("200", anonymous="404", members="403"), slug),
        POST(coordinator("ok", anonymous="404", members="403"), slug, lambda s, w: _people()),
    ],
    "invitation_list": [
        GET(coordinator("200", anonymous="404", members="403"), _invitation_list),
    ],
    "invitation_list_problems": [
        GET(coordinator("200", anonymous="404", members="403"), _invitation_list),
    ],
    "invitation_list_send": [
        POST(coordinator("ok", anonymous="404", members="403"), _invitation_list),
    ],
    "invitation_revoke": [
        POST(
            coordinator("ok", anonymous="404", members="403"),
            _with(slug, invitation_id=lambda s, w: s.invitation.pk),
        )
    ],
    "cluster_join": [
        POST(members("no", anonymous="login"), slug, _const(role="follower")),
    ],
    "cluster_leave": [
        # The only coordinator cannot leave a cluster without one.
        POST(members("ok", anonymous="login", coordinator="no"), slug),
    ],
    "membership_action": [
        POST(
            coordinator("ok", anonymous="404", members="403"),
            _with(slug, membership_id=lambda s, w: s.cluster.memberships.get(user=s.follower).pk),
            _const(reason="Pausa"),
            extra={"action": "suspend"},
            label="suspend",
        ),
        POST(
            coordinator("ok", anonymous="404", members="403"),
            _with(slug, membership_id=lambda s, w: s.cluster.memberships.get(user=s.applicant).pk),
            extra={"action": "approve"},
            label="approve",
        ),
        POST(
            coordinator("ok", anonymous="404", members="403"),
            _with(slug, membership_id=lambda s, w: s.cluster.memberships.get(user=s.follower).pk),
            _const(role="mentor"),
            extra={"action": "role"},
            label="role",
        ),
    ],
    "sponsorship_request": [
        POST(
            coordinator("ok", anonymous="404", members="403"),
            slug,
            lambda s, w: {"agency": (w.b if s is w.a else w.a).agency.pk},
        ),
        POST(
            coordinator("no", anonymous="404", members="403"),
            slug,
            lambda s, w: {"agency": s.follower.profile.organization_id},
            label="a firm",
        ),
    ],
    "sponsorship_answer": [
        POST(
            coordinator("ok", anonymous="404", members="403"),
            _with(slug, sponsorship_id=lambda s, w: s.sponsorship_offer.pk),
            extra={"action": action},
            label=f"{action} an agency's offer",
        )
        for action in ("accept", "decline")
    ]
    + [
        POST(
            coordinator("ok", anonymous="404", members="403"),
            _with(slug, sponsorship_id=lambda s, w: s.sponsorship.pk),
            extra={"action": "revoke"},
            label="end the sponsorship",
        ),
        # The cluster asked: only the agency's officers accept it.
        POST(
            coordinator("403", anonymous="404", members="403"),
            _with(slug, sponsorship_id=lambda s, w: s.sponsorship.pk),
            extra={"action": "accept"},
            label="accept what the agency answers",
        ),
        POST(
            coordinator("404", anonymous="404", members="403"),
            _with(slug, sponsorship_id=lambda s, w: s.sponsorship.pk),
            extra={"action": "x"},
            label="unknown",
        ),
    ],
    "agency_sponsorships": [
        GET(officer("200", other_officer="200")),
        # The search finds public clusters and never a private one the officer cannot see.
        GET(officer("200", other_officer="200"), query="q=Cluster", label="invite search"),
    ],
    "sponsorship_offer": [
        # The open cluster already asked this side's agency: it answers, not offers.
        POST(
            officer("no", other_officer="ok"),
            lambda s, w: {"slug": s.open_cluster.slug},
            label="a public cluster",
        ),
        POST(officer("404"), slug, label="a private cluster"),
    ],
    "agency_sponsorship_answer": [
        POST(
            officer("ok"),
            lambda s, w: {"sponsorship_id": s.sponsorship_request.pk},
            extra={"action": action},
            label=f"{action} a cluster's request",
        )
        for action in ("accept", "decline")
    ]
    + [
        POST(
            officer("ok"),
            lambda s, w: {"sponsorship_id": s.sponsorship.pk},
            extra={"action": "revoke"},
            label="end the sponsorship",
        ),
        POST(
            officer("no"),
            lambda s, w: {"sponsorship_id": s.sponsorship.pk},
            extra={"action": "accept"},
            label="accept twice",
        ),
        POST(
            officer("404"),
            lambda s, w: {"sponsorship_id": s.sponsorship.pk},
            extra={"action": "x"},
            label="unknown",
        ),
    ],
    "invitation": [
        # The emailed token is the key: its holder sees the invitation, but it is not theirs.
        GET(everyone(), lambda s, w: {"token": s.invitation.token}, shows_private=True),
        POST(
            everyone("no"),
            lambda s, w: {"token": s.invitation.token},
            _const(answer="accept"),
            shows_private=True,
        ),
    ],
    "directory": [GET(everyone())],
    "person": [GET(members(), lambda s, w: {"user_id": s.follower.pk})],
    "profile_edit": [GET(signed_in()), POST(signed_in("ok"), data=_const(**PROFILE))],
    "organization_edit": [
        GET(signed_in()),
        # An agency's officers cannot turn it into a firm (nor anyone a firm into an agency).
        POST(signed_in("ok", officer="no", other_officer="no"), data=_const(**FIRM)),
    ],
}

FORUMS = {
    "forums:cluster_forum": [GET(members("302"), slug)],
    "forums:announcements": [
        GET(members("200", anonymous="login"), slug),
        POST(
            coordinator("ok", members="404"),
            slug,
            _const(title="Aviso nuevo", body="Hola a todos."),
        ),
    ],
    "forums:announcement": [
        GET(
            members("200", anonymous="login"),
            lambda s, w: {"slug": s.cluster.slug, "announcement_id": s.announcement.pk},
        )
    ],
    "forums:moderation_log": [GET(coordinator("200", members="403"), slug)],
    "forums:room": [
        GET(members(), room),
        GET(members(**PARTIES), conversation_room, label="conversation"),
    ],
    "forums:new_topic": [
        GET(members(anonymous="login"), room),
        POST(
            members("ok", anonymous="login"),
            room,
            _const(kind="discussion", title="Tema nuevo", body="Hola a todos"),
        ),
    ],
    "forums:topic": [
        GET(members(), topic),
        GET(members(**PARTIES), conversation, label="conversation"),
    ],
    "forums:reply": [
        POST(members("ok", anonymous="login"), topic, _const(body="Gracias")),
        POST(
            members("ok", anonymous="login", **PARTIES),
            conversation,
            _const(body="Gracias"),
            label="conversation",
        ),
    ],
    "forums:topic_action": [
        POST(coordinator("ok", members="403"), topic, extra={"action": action}, label=action)
        for action in ("lock", "pin")
    ]
    + [POST(members("404", anonymous="login"), topic, extra={"action": "x"}, label="unknown")],
    "forums:edit_post": [
        GET(members(anonymous="login", mentor="404", coordinator="404"), question),
        POST(
            members("ok", anonymous="login", mentor="404", coordinator="404"),
            question,
            _const(body="Precio editado"),
        ),
    ],
    "forums:post_history": [
        GET(members(), lambda s, w: {"post_id": s.answer.pk}),
        GET(
            members(**PARTIES),
            lambda s, w: {"post_id": s.conversation.posts.first().pk},
            label="conversation",
        ),
    ],
    # A live page's card of one post: readable exactly where the post is.
    "forums:post_card": [
        GET(members(), lambda s, w: {"post_id": s.answer.pk}),
        GET(
            members(**PARTIES),
            lambda s, w: {"post_id": s.conversation.posts.first().pk},
            label="conversation",
        ),
    ],
    "forums:post_action": [
        POST(
            members("ok", anonymous="login", mentor="no"),
            lambda s, w: {"post_id": s.answer.pk},
            extra={"action": "helpful"},
            label="helpful on the mentor's answer",
        ),
        POST(
            members("ok", anonymous="login", mentor="403"),
            lambda s, w: {"post_id": s.reply.pk},
            extra={"action": "accept"},
            label="accept the coordinator's reply",
        ),
        POST(
            coordinator("ok", members="403"),
            lambda s, w: {"post_id": s.answer.pk},
            _const(reason="Fuera de tema"),
            extra={"action": "hide"},
            label="hide",
        ),
        POST(
            members("404", anonymous="login"),
            lambda s, w: {"post_id": s.answer.pk},
            extra={"action": "x"},
            label="unknown",
        ),
    ],
    # Both forums hold a post about Hamburg; nobody may find the other cluster's.
    "forums:search": [
        GET(everyone(), query="q=Hamburgo", label="posts"),
        GET(everyone(), query="q=REX", label="guides"),
    ],
    "forums:notifications": [GET(signed_in()), POST(signed_in("ok?"))],
    "forums:email_preferences": [POST(signed_in("ok"), data=_const(replies="on"))],
    "forums:api_room_topics": [
        GET(members(), room),
        GET(members(**PARTIES), conversation_room, label="conversation"),
    ],
    "forums:api_topic_posts": [
        GET(members(), topic),
        POST(members("ok"), topic, _const(body="Por la API"), json=True),
        GET(members(**PARTIES), conversation, label="conversation"),
        POST(
            members("ok", **PARTIES),
            conversation,
            _const(body="Por la API"),
            json=True,
            label="conversation",
        ),
    ],
    "forums:api_topic_events": [
        GET(members(), topic, query="after=0"),
        GET(members(**PARTIES), conversation, query="after=0", label="conversation"),
    ],
}

MENTORING = {
    "mentoring:home": [GET(signed_in())],
    "mentoring:needs": [
        GET(signed_in()),
        POST(
            signed_in("ok"),
            data=_const(stage="preparing", products="0901", markets=["FR"], languages=["es"]),
        ),
    ],
    "mentoring:offer": [
        GET(members(anonymous="login"), slug),
        POST(
            # The follower is invited to mentor (their firm exports now): their offer is saved.
            # A follower never invited is refused (tests/mentoring/test_mentor_invitations.py).
            members("ok", anonymous="login"),
            slug,
            _const(capacity="2", products="0901", markets=["DE"], languages=["es"]),
        ),
    ],
    # Only the person invited has an invitation to decline; nobody else's is reachable.
    "mentoring:invitation_decline": [POST(exp("404", anonymous="login", follower="ok"))],
    "mentoring:cohort": [
        GET(coordinator("200"), slug),
        POST(
            coordinator("ok"),
            slug,
            lambda s, w: cohort_form({s.newcomer.pk: s.offer.pk}, publish="1"),
        ),
    ],
    "mentoring:request": [
        GET(members(anonymous="login"), offer),
        # The follower is already paired with this mentor; the mentor cannot ask themself.
        POST(members("no", anonymous="login", coordinator="ok"), offer, _const(message="Hola")),
    ],
    "mentoring:pairing": [GET(members(anonymous="login"), pairing)],
    "mentoring:goal_add": [
        POST(
            members("ok", anonymous="login"),
            pairing,
            lambda s, w: {
                "outcome": "diversification",
                "title": "Otra meta",
                "year": _month().year + 1,
                "market": "FR",
            },
        )
    ],
    "mentoring:pairing_session_new": [
        GET(members(anonymous="login", coordinator="404"), pairing),
        POST(
            members("ok", anonymous="login", coordinator="404"),
            pairing,
            lambda s, w: {**NEW_SESSION, "local_start": _later()},
        ),
    ],
    "mentoring:pairing_action": [
        POST(
            members("ok", anonymous="login"),
            pairing,
            _const(reason="Terminamos"),
            extra={"action": "end"},
            label="end",
        ),
        POST(
            members("no", anonymous="login"),
            pairing,
            extra={"action": "accept"},
            label="accept an active pairing",
        ),
        POST(members("404", anonymous="login"), pairing, extra={"action": "x"}, label="unknown"),
    ],
    "mentoring:goal_status": [POST(members("ok", anonymous="login"), goal, _const(status="met"))],
    "mentoring:milestone_add": [
        POST(members("ok", anonymous="login"), goal, _const(title="Otro hito"))
    ],
    "mentoring:milestone_toggle": [
        POST(members("ok", anonymous="login"), lambda s, w: {"milestone_id": s.milestone.pk})
    ],
    "mentoring:cluster_sessions": [
        GET(members(anonymous="login"), slug),
        # A public cluster's sessions page tells outsiders it is for members, with a way in.
        GET(
            signed_in("200"),
            lambda s, w: {"slug": w.public_cluster.slug},
            scoped=False,
            label="public cluster, as a non-member",
        ),
    ],
    "mentoring:group_session_new": [
        GET(coordinator("200"), slug),
        POST(
            coordinator("ok"),
            slug,
            lambda s, w: {**NEW_SESSION, "local_start": _later(), "capacity": "10"},
        ),
    ],
    "mentoring:cluster_outcomes": [GET(coordinator("200"), slug)],
    "mentoring:cluster_reports": [
        GET(coordinator("200"), slug),
        GET(coordinator("200"), slug, query="start=2024-01-01&end=2024-12-31", label="dates"),
    ],
    "mentoring:members_csv": [GET(coordinator("200"), slug)],
    "mentoring:engagement_csv": [GET(coordinator("200"), slug)],
    "mentoring:activity_csv": [
        GET(coordinator("200"), slug, query="start=2024-01-01&end=2024-12-31")
    ],
    # Names of who mentored whom: the cluster's coordinators only.
    "mentoring:cluster_chain": [GET(coordinator("200"), slug)],
    # Counts per generation, no names: the programme's agency's officers only.
    "mentoring:programme_chain": [GET(officer("200"), programme)],
    "mentoring:session": [
        GET(members(anonymous="login"), session, label="one-to-one"),
        GET(members(anonymous="login"), group_session, label="group"),
    ],
    "mentoring:session_answer": [
        POST(members("ok", anonymous="login"), group_session, _const(answer="no"), label="group"),
        POST(
            members("ok", anonymous="login", coordinator="403"),
            session,
            _const(answer="no"),
            label="one-to-one",
        ),
    ],
    "mentoring:session_cancel": [
        POST(
            members("403", anonymous="login", coordinator="ok"),
            group_session,
            _const(reason="Lluvia"),
        )
    ],
    "mentoring:session_attendance": [
        POST(
            members("403", anonymous="login", mentor="ok"),
            past_session,
            lambda s, w: {f"came-{s.follower.pk}": "no"},
        )
    ],
    "mentoring:session_notes": [
        # Both sides of a pairing keep its sessions' notes; a coordinator does not.
        POST(
            members("ok", anonymous="login", coordinator="403"),
            past_session,
            _const(notes="Notas"),
        )
    ],
    "mentoring:session_confirm": [
        POST(
            members("403", anonymous="login", follower="ok"),
            past_session,
            _const(took_place="yes", useful="yes", rating="5"),
        )
    ],
    "mentoring:session_ics": [GET(members(anonymous="login"), session)],
    "mentoring:calendar": [GET(signed_in()), POST(signed_in("ok"))],
    "mentoring:calendar_feed": [
        GET(everyone(), lambda s, w: {"token": s.feed_token}, shows_private=True)
    ],
    "mentoring:cluster_calendar": [GET(members(anonymous="login", officer="200"), slug)],
    "mentoring:cluster_calendar_feed": [
        GET(
            everyone(),
            lambda s, w: {"token": s.feed_token, "slug": s.cluster.slug},
            shows_private=True,
        ),
        # The token is a member's key to their own clusters' calendars, not to any cluster's.
        GET(
            everyone("404"),
            lambda s, w: {"token": s.feed_token, "slug": (w.b if s is w.a else w.a).cluster.slug},
            scoped=False,
            label="own token, another cluster",
        ),
    ],
    "mentoring:exports": [
        GET(signed_in()),
        POST(
            signed_in("ok"),
            data=lambda s, w: {
                "year": _month().year - 1,
                "hs_code": "0901",
                "country": "FR",
                "value_band": "lt1m",
            },
        ),
    ],
    "mentoring:export_delete": [
        POST(exp("404", anonymous="login", follower="ok"), lambda s, w: {"record_id": s.export.pk})
    ],
}

INCENTIVES = {
    "incentives:my_credits": [GET(signed_in())],
    "incentives:confirm": [
        POST(
            exp("404", anonymous="login", follower="ok"),
            lambda s, w: {"contribution_id": s.pending.pk},
        )
    ],
    "incentives:statement": [
        GET(
            exp("404", anonymous="login", mentor="200"),
            _with(programme, year=lambda s, w: _month().year, month=lambda s, w: _month().month),
        )
    ],
    "incentives:review_queue": [GET(coordinator("200"), slug)],
    "incentives:review_decision": [
        POST(
            coordinator("ok"),
            _with(slug, contribution_id=lambda s, w: s.review.pk),
            extra={"decision": "approve"},
            label="approve",
        ),
        POST(
            coordinator("ok"),
            _with(slug, contribution_id=lambda s, w: s.review.pk),
            _const(reason="No corresponde"),
            extra={"decision": "reject"},
            label="reject",
        ),
    ],
    "incentives:agency": [GET(officer("200", other_officer="200"))],
    "incentives:referrals": [
        GET(officer("200", other_officer="200")),
        GET(officer("200", other_officer="200"), query="state=accepted", label="one state"),
    ],
    "incentives:referral_new": [
        GET(officer("200", other_officer="200")),
        POST(
            # The other agency's officers cannot refer this side's firm: not in their clusters.
            officer("ok", other_officer="no"),
            data=lambda s, w: {
                "firm": s.follower.profile.organization_id,
                "programme": (w.b if s is w.a else w.a).programme.pk,
                "note": "Listo para exportar",
            },
        ),
    ],
    "incentives:referral": [GET(officer("200", other_officer="200"), referral)],
    "incentives:referral_act": [
        POST(_referral_answer(), referral, extra={"action": "accept"}, label="accept"),
        POST(
            _referral_answer(),
            referral,
            _const(reason="Sin pedido aún"),
            extra={"action": "decline"},
            label="decline",
        ),
        POST(_referral_answer(), accepted_referral, extra={"action": "done"}, label="done"),
    ],
    "incentives:agency_overview": [
        GET(officer("200", other_officer="200")),
        GET(
            officer("200", other_officer="200"),
            query="start=2020-01-01&end=2030-12-31",
            label="dates",
        ),
    ],
    "incentives:programme_new": [
        GET(officer("200", other_officer="200")),
        POST(
            # Another agency cannot put this side's cluster in its programme: the form
            # offers only the clusters its own agency sponsors.
            officer("ok", other_officer="no"),
            data=lambda s, w: {
                "name": "Programa nuevo",
                "clusters": [s.cluster.pk],
                "starts_on": _month().isoformat(),
                "ends_on": _month().replace(year=_month().year + 1).isoformat(),
                "unit": "USD",
                "budget": "100",
            },
        ),
    ],
    "incentives:programme": [GET(officer("200"), programme)],
    "incentives:member_statement": [
        GET(
            officer("200"),
            _with(
                programme,
                member_id=lambda s, w: s.mentor.pk,
                year=lambda s, w: _month().year,
                month=lambda s, w: _month().month,
            ),
        )
    ],
    "incentives:programme_csv": [GET(officer("200"), _with(programme, table="members"))],
    "incentives:programme_chart": [GET(officer("200"), _with(programme, table="clusters"))],
    "incentives:rule_save": [
        POST(
            officer("ok"),
            programme,
            _const(kind="accepted_answer", amount="5", confirmer="counterpart", min_attendees="0"),
        )
    ],
    "incentives:budget_add": [POST(officer("ok"), programme, _const(amount="50"))],
    "incentives:figure_sharing": [POST(officer("ok"), programme, _const(share="on"))],
    "incentives:approve": [
        POST(officer("ok"), programme, lambda s, w: {"month": f"{_month(-1):%Y-%m}"})
    ],
    "incentives:pay": [
        POST(
            officer("ok?"),
            programme,
            lambda s, w: {
                "month": f"{_month(-1):%Y-%m}",
                "member": s.mentor.pk,
                "reference": "T1",
            },
        )
    ],
    "incentives:reverse": [
        POST(
            officer("ok"), lambda s, w: {"contribution_id": s.credited.pk}, _const(reason="Error")
        )
    ],
    "incentives:token_new": [POST(officer("ok", other_officer="ok"), data=_const(name="Nueva"))],
    "incentives:token_revoke": [POST(officer("ok"), lambda s, w: {"token_id": s.api_token.pk})],
}

GUIDE_FIELDS = {"title": "Guía nueva", "summary": "Resumen", "body": "Texto", "language": "es"}

GUIDES = {
    "guides:library": [GET(everyone())],
    "guides:desk": [GET(signed_in())],
    "guides:new": [
        # Those who write in no cluster are sent back to the library with a message.
        GET(signed_in("302", mentor="200", coordinator="200", other_coordinator="200")),
        POST(
            signed_in("no", mentor="ok", coordinator="ok"),
            data=lambda s, w: {**GUIDE_FIELDS, "cluster": s.cluster.pk},
        ),
    ],
    "guides:guide": [GET(members(), guide)],
    "guides:edit": [
        GET(exp("404", anonymous="login", mentor="200"), guide),
        POST(exp("404", anonymous="login", mentor="ok"), guide, _const(**GUIDE_FIELDS)),
    ],
    "guides:draft": [
        GET(members(follower="404"), guide, label="published"),
        GET(members(follower="404"), lambda s, w: {"guide_id": s.draft.pk}, label="unpublished"),
    ],
    "guides:versions": [GET(members(), guide)],
    "guides:version": [GET(members(), _with(guide, number=1))],
    "guides:compare": [GET(members(), guide, query="from=1&to=2")],
    "guides:action": [
        POST(
            members("ok", anonymous="login", mentor="no"),
            guide,
            extra={"action": "useful"},
            label="useful",
        ),
        POST(
            members("ok", anonymous="login", follower="403"),
            guide,
            _const(text="Revisar fechas"),
            extra={"action": "comment"},
            label="comment",
        ),
        POST(
            coordinator("ok", members="403"),
            guide,
            _const(note="Cambió la norma"),
            extra={"action": "flag"},
            label="flag",
        ),
        POST(members("404", anonymous="login"), guide, extra={"action": "x"}, label="unknown"),
    ],
    "guides:resolve_correction": [
        POST(
            members("ok", anonymous="login", follower="404"),
            lambda s, w: {"suggestion_id": s.suggestion.pk, "answer": "accept"},
        )
    ],
    "guides:promote": [
        POST(
            members("ok", anonymous="login", follower="403"), lambda s, w: {"post_id": s.answer.pk}
        )
    ],
}


AGENCY_API = {
    "agency_api:openapi-json": [GET(everyone(), api=True)],
    "agency_api:api-root": [GET(everyone("404"), api=True)],
    "agency_api:list_programmes": [GET(api("200", other_officer="200"), api=True)],
    **{
        f"agency_api:{name}": [GET(api("200"), programme, api=True)]
        for name in (
            "get_programme",
            "list_contributions",
            "list_entries",
            "list_balances",
            "list_outcomes",
            "programme_impact",
        )
    },
}

# Accounts (allauth): public forms, or the signed-in person's own account.
ACCOUNTS = {
    "account_login": [GET(everyone("302", anonymous="200"))],
    "account_logout": [GET(everyone("200", anonymous="302")), POST(everyone("302"))],
    "account_inactive": [GET(everyone())],
    "account_signup": [GET(everyone("302", anonymous="200"))],
    "account_reauthenticate": [GET(signed_in())],
    "account_email": [GET(signed_in())],
    "account_email_verification_sent": [GET(everyone())],
    "account_change_password": [GET(signed_in())],
    "account_set_password": [GET(signed_in("302"))],
    "account_reset_password": [GET(everyone())],
    "account_confirm_login_code": [GET(everyone("302", anonymous="login"))],
    "account_confirm_email": [GET(everyone(), _const(key="nope"), scoped=False)],
    "account_reset_password_from_key_done": [GET(everyone())],
    "account_reset_password_from_key": [
        GET(everyone(), _const(uidb36="1", key="nope"), scoped=False)
    ],
    "account_reset_password_done": [GET(everyone())],
    # Erasing one's own account: a wrong password erases nothing (the right one is tested
    # in tests/network/test_erasure.py; here it would erase the role for the next probes).
    "account_erase": [
        GET(signed_in()),
        POST(signed_in("no"), data=_const(password="not-the-password-41")),
    ],
    "account_erased": [GET(everyone())],
    "set_language": [POST(everyone("302"), data=_const(language="es", next="/"))],
}


def registry(s: Side, w: World) -> dict:
    return {"batch_id": s.registry.pk}


def preview(s: Side, w: World) -> dict:
    return {"batch_id": s.preview.pk}


def _new_file(s: Side, w: World) -> dict:
    content = b"tax_id,id_scheme,name\n20131312955,RUC,Nueva\n"
    return {"kind": "firms", "file": SimpleUploadedFile("nuevo.csv", content)}


def own_firm(s: Side, w: World) -> dict:
    """The follower's firm: in the agency's registry, its link confirmed by the officer."""
    return {"organization_id": s.follower.profile.organization_id}


def waiting_firm(s: Side, w: World) -> dict:
    """The newcomer's firm: in the agency's registry by the tax id it typed, not confirmed."""
    return {"organization_id": s.newcomer.profile.organization_id}


# Confidential customs data: every page is its agency's officers' only, but for a firm's own
# records, which its people read once the agency confirmed the link.
EVIDENCE = {
    "evidence:imports": [GET(officer("200", other_officer="200"))],
    "evidence:upload": [POST(officer("ok", other_officer="ok"), data=_new_file)],
    "evidence:batch": [GET(officer("200"), registry), GET(officer("200"), preview)],
    "evidence:refused_csv": [GET(officer("200"), preview)],
    "evidence:confirm": [POST(officer("ok"), preview)],
    "evidence:discard": [POST(officer("ok"), preview)],
    "evidence:rollback": [POST(officer("ok"), registry)],
    "evidence:confirm_link": [POST(officer("ok"), waiting_firm)],
    "evidence:withdraw_link": [POST(officer("ok"), own_firm)],
    "evidence:own_records": [GET(officer("200", follower="200"), own_firm)],
    "evidence:impact": [GET(officer("200"), programme)],
    "evidence:evaluate": [POST(officer("ok"), programme, _const(comparison="not_yet_treated"))],
    "evidence:impact_chart": [GET(officer("200"), _with(programme, outcome="exported"))],
    "evidence:impact_csv": [GET(officer("200"), programme)],
    "evidence:differences": [GET(officer("200"), programme)],
    "evidence:differences_csv": [GET(officer("200"), programme)],
    "evidence:impact_report": [GET(officer("200"), programme)],
}


def _assessment(s: Side, w: World) -> dict:
    return {"assessment_id": s.assessment.pk}


def _draft_page(s: Side, w: World) -> dict:
    return {"assessment_id": s.assessment_draft.pk, "number": 0}


def _questionnaire(s: Side, w: World) -> dict:
    return {"questionnaire_id": s.questionnaire.pk}


def _programme_questionnaire(s: Side, w: World) -> dict:
    return {"questionnaire_id": s.programme_questionnaire.pk}


def _question(s: Side, w: World) -> dict:
    return {"question_id": s.questionnaire.questions.first().pk}


def _goal_template(s: Side, w: World) -> dict:
    return {"template_id": s.goal_template.pk}


QUESTION = {
    "dimension": "logistics",
    "weight": "2",
    "text_es": "¿Tienen agente de carga?",
    "answers_es": "0 | No\n3 | Sí",
}
# Only a firm's people start one: an officer's organization is an agency, told so.
FIRM_PEOPLE = {"officer": "no", "other_officer": "no"}

READINESS = {
    "readiness:home": [GET(signed_in())],
    # The follower's firm has a draft already: starting again resumes it.
    "readiness:start": [POST(signed_in("ok", follower="ok?", **FIRM_PEOPLE))],
    # The firm's people, and its mentor while the firm shares its answers.
    "readiness:result": [
        GET(exp("404", anonymous="login", follower="200", mentor="200"), _assessment)
    ],
    "readiness:page": [
        GET(exp("404", anonymous="login", follower="200"), _draft_page),
        POST(exp("404", anonymous="login", follower="ok?"), _draft_page, _const()),
    ],
    "readiness:share": [
        POST(exp("404", anonymous="login", follower="ok"), _assessment, _const(shared=""))
    ],
    # The heatmap counts firms, suppressed under five: the cluster's coordinators only.
    "readiness:cluster_heatmap": [GET(coordinator("200"), slug)],
    "readiness:cluster_copy": [POST(coordinator("ok"), slug)],
    "readiness:programme_change": [GET(officer("200"), programme)],
    "readiness:programme_copy": [POST(officer("ok"), programme)],
    "readiness:questionnaire": [
        GET(coordinator("200"), _questionnaire, label="cluster's"),
        GET(officer("200"), _programme_questionnaire, label="programme's"),
    ],
    "readiness:question_add": [
        GET(coordinator("200"), _questionnaire),
        POST(coordinator("ok"), _questionnaire, _const(**QUESTION)),
    ],
    "readiness:question_edit": [
        GET(coordinator("200"), _question),
        POST(coordinator("ok"), _question, _const(**QUESTION)),
    ],
    "readiness:question_remove": [POST(coordinator("ok"), _question)],
    "readiness:publish": [POST(coordinator("ok"), _questionnaire)],
    "readiness:new_version": [POST(officer("ok"), _programme_questionnaire)],
    # Anyone signed in reads a template; only someone mentored now adopts it into a pairing.
    "mentoring:adopt_goal": [
        GET(signed_in(), _goal_template),
        POST(
            signed_in("no", follower="ok"),
            _goal_template,
            lambda s, w: {
                "pairing": str(s.pairing.pk),
                "year": str(s.pairing.created_at.year + 1),
            },
        ),
    ],
}

TABLE: dict[str, list[Probe]] = {
    **NETWORK,
    **FORUMS,
    **MENTORING,
    **INCENTIVES,
    **GUIDES,
    **AGENCY_API,
    **ACCOUNTS,
    **EVIDENCE,
    **READINESS,
}

# Django's admin guards each of its views with the staff check: nobody here is staff, so
# every admin route sends everyone to the admin's own sign-in page. That page sends the
# anonymous to the site's sign-in, which limits guesses, and refuses anyone signed in.
ADMIN_NAMESPACE = "admin"
ADMIN = {
    "admin:login": [GET(signed_in("403"))],
    "admin:logout": [GET(everyone("302"))],  # back to the admin, which asks for staff
}
ADMIN_DEFAULT = everyone("staff")
