"""What every mentoring service shares: free text as it is stored, people's names, and
telling both sides of a pairing what happened."""

from collections.abc import Iterable

from core.errors import DomainError
from core.text import clean_text
from mentoring.models import Pairing
from network import notify
from network.models import Cluster, Membership, User


def text(value: object, model, field: str, label=None) -> str:
    """Free text, trimmed and storable, or refused when longer than its field holds."""
    return clean_text(value, model=model, field=field, error=DomainError, label=label)


def name_of(user: User) -> str:
    return user.profile.display_name or user.email


def active_membership(user: User, cluster: Cluster) -> Membership | None:
    return Membership.objects.active().of(user).in_cluster(cluster).first()


def tell(users: Iterable[User], template: str, pairing: Pairing, summary: str, **context) -> None:
    """Email and notify `users` about `pairing` with mentoring/email/<template>."""
    notify.tell(
        users=list(users),
        template=f"mentoring/email/{template}",
        context={
            "mentor": name_of(pairing.mentor),
            "follower": name_of(pairing.follower),
            "cluster_name": pairing.cluster.name,
            "url": notify.absolute_url(pairing.get_absolute_url()),
            **context,
        },
        event={"type": f"pairing_{template}", "text": summary, "url": pairing.get_absolute_url()},
    )
