"""First-run guidance on "My network": the few steps that let matching work for a newcomer,
each with why it helps, shown until every step is done."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import home_panels
from core.compiled import compiled_read
from network import selectors
from network.models import ExportProduct, Organization, User


@dataclass(frozen=True)
class Step:
    title: str
    why: str
    url: str
    done: bool


@compiled_read()
def _firm(p):
    listed = ExportProduct.objects.filter(organization=OuterRef("pk"))
    return Organization.objects.filter(pk=p.organization).annotate(lists_products=Exists(listed))


def steps_for(user: User) -> list[Step]:
    profile = user.profile
    organization = None
    if profile.organization_id is not None:
        # The firm and whether it lists products, in one read; kept on the profile for the
        # other panels that ask for it.
        organization = next(iter(_firm(organization=profile.organization_id)), None)
        if organization is not None:
            profile.organization = organization
    home = reverse("home")
    return [
        Step(
            _("Say which languages you speak and where you are"),
            _(
                "Mentors and followers are matched on the languages they share, and sessions "
                "are shown in your time zone."
            ),
            f"{reverse('profile_edit')}?next={home}",
            bool(profile.languages) and profile.time_zone != "UTC",
        ),
        Step(
            _("Describe your firm: products and markets"),
            _(
                "Matching compares your products (HS codes) and target markets with where "
                "mentors have exported: the same heading counts more than the same chapter."
            ),
            f"{reverse('organization_edit')}?next={home}",
            organization is not None and (organization.is_agency or organization.lists_products),
        ),
        Step(
            _("Join a cluster"),
            _("Mentoring, forums and sessions happen inside clusters of firms like yours."),
            reverse("cluster_list"),
            bool(selectors.active_memberships_of(user)),
        ),
    ]


def getting_started_panel(*, user: User) -> dict | None:
    steps = steps_for(user)
    done = sum(step.done for step in steps)
    if done == len(steps):
        return None
    return {"steps": steps, "done": done, "total": len(steps)}


home_panels.register(
    home_panels.Panel("start", 0, "network/panels/getting_started.html", getting_started_panel)
)
