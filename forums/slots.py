"""What the forums show on pages of the network (core.slots): a cluster's latest
announcements, on its page, for its active members."""

from core import slots
from forums import selectors
from network import selectors as network_selectors


def on_cluster(*, viewer, cluster, membership=None) -> dict | None:
    if membership is None or not membership.is_active:
        return None
    return {
        "cluster": cluster,
        "latest": selectors.announcements_of(cluster, limit=3),
        "may_write": network_selectors.is_coordinator(user=viewer, cluster=cluster),
    }


slots.register(
    "cluster.main",
    slots.Piece("announcements", "forums/_cluster_announcements.html", on_cluster),
)
