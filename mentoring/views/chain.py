"""The knowledge chain: per cluster for its coordinators (with names), per programme for the
agency's officers (counts per generation, small counts of firms suppressed)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from incentives import selectors as incentives
from mentoring import chain_svg
from mentoring.selectors import chain as chain_selectors
from network import selectors as network_selectors
from network.models import Membership


@login_required
def cluster_chain(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    coordinates = Membership.objects.coordinators().of(request.user).in_cluster(cluster).exists()
    if not coordinates:
        raise Http404
    # Coordinators see their cluster's members by name everywhere else; here too.
    chain = chain_selectors.knowledge_chain([cluster.pk], with_names=True)
    title = _("Knowledge chain of %(cluster)s") % {"cluster": cluster.name}
    rows = [
        {
            "number": row.number,
            "people": len(row.people),
            "mentoring": len(row.mentoring),
            "graduates": row.graduates_mentoring,
            "firms": len(row.firms_first_export),
            "names": [chain.names.get(person, "") for person in row.people],
        }
        for row in chain.generations
    ]
    return render(
        request,
        "mentoring/chain.html",
        {
            "cluster": cluster,
            "chain": chain,
            "rows": rows,
            "title": title,
            "svg": mark_safe(
                chain_svg.named(chain.generations, chain.links, chain.names, title=title)
            ),
        },
    )


@login_required
def programme_chain(request, programme_id):
    programme = incentives.programme_for(request.user, programme_id)
    clusters = list(programme.clusters.order_by("name"))
    chain = chain_selectors.knowledge_chain([cluster.pk for cluster in clusters])
    title = _("Knowledge chain of %(programme)s") % {"programme": programme.name}
    rows = [
        {
            "number": row.number,
            "people": len(row.people),
            "mentoring": len(row.mentoring),
            "graduates": row.graduates_mentoring,
            # Firms beyond the viewer's own: fewer than 5 in a cell are not shown.
            "firms": chain_selectors.suppressed(len(row.firms_first_export)),
        }
        for row in chain.generations
    ]
    return render(
        request,
        "mentoring/chain.html",
        {
            "programme": programme,
            "clusters": clusters,
            "chain": chain,
            "rows": rows,
            "title": title,
            "firms_total": chain_selectors.suppressed(chain.firms_first_export),
            "min_firms": chain_selectors.MIN_FIRMS,
            "svg": mark_safe(chain_svg.aggregated(rows, title=title)),
        },
    )
