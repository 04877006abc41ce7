"""The demo network speaks each cluster's language: a new user judges the product by it.

Everything the demo writes into a Spanish or Portuguese cluster (its name and description,
topics, posts and tags, guides, offers and needs, sessions, goals, programmes, referrals, its
members' expertise) and the match reasons its followers read are searched for common English
words.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from forums.models import Post, Topic
from guides.models import Guide
from incentives.models import Programme, Referral
from mentoring import scoring
from mentoring.models import Goal, MentoringNeeds, MentorOffer, Pairing, Session
from mentoring.selectors.matching import match_for
from network.models import Cluster, Membership

# Words that are English and neither Spanish nor Portuguese.
ENGLISH = {
    "the", "and", "of", "for", "with", "to", "from", "your", "our", "how", "what", "is", "are",
    "on", "at", "by", "buyer", "buyers", "search", "export", "exports", "exported", "finance",
    "certification", "certifications", "certificate", "rules", "origin", "pricing", "fairs",
    "trade", "promotion", "coffee", "cold", "chain", "roasting", "growers", "services",
    "contracts", "tax", "treaties", "helps", "hub", "packaging", "labelling", "logistics",
    "customs", "handmade", "lace", "natural", "dyes", "fine", "phytosanitary", "fashion",
    "shipping", "market", "markets", "speaks", "member", "places", "free", "has",
}  # fmt: skip
LANGUAGE_OF = {"BR": "pt-br"}  # every other demo cluster is in a Spanish-speaking country


def _texts(cluster: Cluster) -> list[str]:
    topics = Topic.objects.filter(room__cluster=cluster)
    offers = MentorOffer.objects.filter(cluster=cluster)
    members = Membership.objects.filter(cluster=cluster).select_related("user__profile")
    followers = [m.user for m in members if m.role == "follower"]
    texts = [cluster.name, cluster.description]
    texts += [t.title for t in topics] + [t for topic in topics for t in topic.tags.names()]
    texts += list(Post.objects.filter(topic__in=topics).values_list("body", flat=True))
    for guide in Guide.objects.filter(cluster=cluster):
        texts += [guide.title, guide.summary, guide.body]
    for offer in offers:
        texts += [offer.pitch, *offer.topics.names()]
    for needs in MentoringNeeds.objects.filter(user__in=followers):
        texts += [needs.note, *needs.topics.names()]
    texts += list(Pairing.objects.filter(cluster=cluster).values_list("message", flat=True))
    texts += list(Goal.objects.filter(pairing__cluster=cluster).values_list("title", flat=True))
    for session in Session.objects.filter(cluster=cluster):
        texts += [session.title, session.agenda, session.place]
    texts += list(Programme.objects.filter(clusters=cluster).values_list("name", flat=True))
    for referral in Referral.objects.filter(programme__clusters=cluster):
        texts += [referral.note, referral.reason]
    texts += [tag for m in members for tag in m.user.profile.expertise.names()]
    with translation.override(LANGUAGE_OF.get(cluster.country.code, "es")):
        for offer in offers:
            for follower in followers:
                match, _excluded = match_for(offer=offer, follower=follower)
                texts += scoring.describe_all(match.reasons)
    return texts


@pytest.mark.django_db
def test_the_demo_speaks_each_cluster_language():
    call_command("seed_demo", verbosity=0)
    english = {}
    for cluster in Cluster.objects.all():
        for text in _texts(cluster):
            words = set(re.findall(r"[a-záéíóúâêôãõçñü]+", text.lower())) & ENGLISH
            if words:
                english.setdefault(cluster.name, []).append(f"{text[:60]!r}: {sorted(words)}")
    assert Cluster.objects.count() == 6 and Topic.objects.exists() and Guide.objects.exists()
    assert english == {}
