"""Network pages: each parses input, checks who may see what, calls a service, renders."""

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import home_panels, memo
from core.views import attempt
from network import erasure, history, selectors
from network.forms import (
    ClusterForm,
    ClusterSearchForm,
    DirectoryFilterForm,
    EraseAccountForm,
    InvitationAcceptForm,
    InviteForm,
    JoinRequestForm,
    OrganizationForm,
    ProfileForm,
    ReasonForm,
    RoleForm,
)
from network.models import INVITATION_LIFETIME, Invitation, Membership
from network.services import clusters, invitations, memberships, organizations, profiles


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    if not request.user.is_authenticated:
        return render(request, "network/landing.html", {"clusters": selectors.public_clusters()})
    # Every panel asks who this person is in which cluster: read once for the whole page.
    with memo.page_scope():
        return render(
            request,
            "network/home.html",
            {
                "memberships": selectors.memberships_of(request.user),
                "invitations": selectors.open_invitations_of(request.user),
                "requests_to_review": selectors.join_requests_to_review(request.user, limit=20),
                "panels": home_panels.for_member(user=request.user),
            },
        )


# --- Clusters ------------------------------------------------------------------------


def cluster_list(request):
    form = ClusterSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.cluster_list(
        viewer=request.user,
        q=filters.get("q", ""),
        sector=filters.get("sector", ""),
        country=filters.get("country", ""),
        after=request.GET.get("after"),
    )
    template = "network/_cluster_results.html" if request.htmx else "network/cluster_list.html"
    return render(request, template, {"form": form, "page": page})


@login_required
def cluster_create(request):
    form = ClusterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request, clusters.create_cluster, form=form, creator=request.user, **form.cleaned_data
        )
        if created:
            messages.success(request, _("Cluster created. Invite its first members."))
            return redirect("cluster_manage", slug=created.value.slug)
    return render(request, "network/cluster_form.html", {"form": form})


def cluster_detail(request, slug):
    cluster = selectors.cluster_for(request.user, slug)
    membership = selectors.membership_of(request.user, cluster)
    return render(
        request,
        "network/cluster_detail.html",
        {
            "cluster": cluster,
            "membership": membership,
            "join_form": JoinRequestForm() if request.user.is_authenticated else None,
            "coordinators": selectors.member_directory(
                viewer=request.user,
                cluster=cluster,
                filters=selectors.DirectoryFilters(role=Membership.Role.COORDINATOR),
                per_page=6,
            ).items,
        },
    )


def coordinated_cluster(request, slug):
    """The cluster and None if the person coordinates it, or the cluster and the sign-in
    page for someone signed out; 403 for anyone else."""
    # Visibility first: a private cluster's URLs answer 404 even before sign-in.
    cluster = selectors.cluster_for(request.user, slug)
    if not request.user.is_authenticated:
        return cluster, redirect_to_login(request.get_full_path())
    if not selectors.is_coordinator(user=request.user, cluster=cluster):
        raise PermissionDenied(_("Only the cluster's coordinators can do this."))
    return cluster, None


def cluster_edit(request, slug):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    initial = {field: getattr(cluster, field) for field in ClusterForm.base_fields}
    form = ClusterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            clusters.update_cluster,
            form=form,
            cluster=cluster,
            by=request.user,
            **form.cleaned_data,
        )
        if saved:
            messages.success(request, _("Cluster details saved."))
            return redirect(cluster)
    return render(request, "network/cluster_form.html", {"form": form, "cluster": cluster})


def cluster_manage(request, slug):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    return render(
        request,
        "network/cluster_manage.html",
        {
            "cluster": cluster,
            "invite_form": InviteForm(),
            "roles": Membership.Role.choices,
            **selectors.cluster_management(cluster, after=request.GET.get("after")),
            "sponsorship": selectors.cluster_sponsorships(cluster),
        },
    )


@require_POST
def cluster_invite(request, slug):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    form = InviteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("cluster_manage", slug=slug)
    sent = attempt(
        request, invitations.invite_member, cluster=cluster, by=request.user, **form.cleaned_data
    )
    if sent:
        messages.success(
            request,
            _("Invitation sent to %(email)s. The link works for %(days)s days.")
            % {"email": sent.value.email, "days": INVITATION_LIFETIME.days},
        )
    return redirect("cluster_manage", slug=slug)


@require_POST
def invitation_revoke(request, slug, invitation_id):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    invitation = get_object_or_404(Invitation, pk=invitation_id, cluster=cluster)
    if attempt(request, invitations.revoke_invitation, invitation=invitation, by=request.user):
        messages.success(
            request,
            _("Invitation to %(email)s withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("cluster_manage", slug=slug)


@login_required
@require_POST
def cluster_join(request, slug):
    cluster = selectors.cluster_for(request.user, slug)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you join as a follower or as a mentor."))
        return redirect(cluster)
    if attempt(
        request,
        memberships.request_to_join,
        cluster=cluster,
        user=request.user,
        **form.cleaned_data,
    ):
        messages.success(request, _("Request sent. The coordinators will answer by email."))
    return redirect(cluster)


@login_required
@require_POST
def cluster_leave(request, slug):
    cluster = selectors.cluster_for(request.user, slug)
    membership = selectors.membership_of(request.user, cluster)
    if membership is None:
        raise Http404
    if not attempt(request, memberships.leave_cluster, membership=membership):
        return redirect(cluster)
    messages.success(request, _("You have left %(cluster)s.") % {"cluster": cluster.name})
    return redirect("home" if not cluster.is_public else cluster.get_absolute_url())


def _membership_decision(request, action: str) -> tuple | None:
    """The service behind a coordinator's button, its arguments from the form and what to
    say once done; None when the role form does not hold."""
    reason = ReasonForm(request.POST)
    reason = reason.cleaned_data["reason"] if reason.is_valid() else ""
    if action == "approve":
        return memberships.approve_request, {}, _("Request approved.")
    if action == "decline":
        return memberships.decline_request, {"reason": reason}, _("Request declined.")
    if action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            return None
        return memberships.change_role, form.cleaned_data, _("Role changed.")
    if action == "suspend":
        return memberships.suspend_member, {"reason": reason}, _("Member suspended.")
    if action == "reinstate":
        return memberships.reinstate_member, {}, _("Member reinstated.")
    raise Http404


@require_POST
def membership_action(request, slug, membership_id, action):
    """A coordinator's decision on one membership: approve, decline, role, suspend, reinstate."""
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    membership = get_object_or_404(Membership, pk=membership_id, cluster=cluster)
    decision = _membership_decision(request, action)
    if decision is None:
        messages.error(request, _("Choose one of the roles offered."))
    else:
        service, arguments, done = decision
        if attempt(request, service, membership=membership, by=request.user, **arguments):
            messages.success(request, done)
    return redirect("cluster_manage", slug=slug)


def invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("cluster"), token=token)
    form = None
    if request.user.is_authenticated:
        form = InvitationAcceptForm(
            request.POST or None, initial=_chosen_name(request.user, invitation)
        )
    if request.method == "POST" and form is not None:
        if request.POST.get("answer") == "decline":
            return _decline(request, invitation)
        if form.is_valid() and attempt(
            request,
            invitations.accept_invitation,
            invitation=invitation,
            user=request.user,
            **form.cleaned_data,
        ):
            messages.success(
                request, _("Welcome to %(cluster)s.") % {"cluster": invitation.cluster.name}
            )
            return redirect(invitation.cluster)
    elif not request.user.is_authenticated and invitation.is_open:
        # Holding the emailed link proves the address, so sign-up skips re-verifying it.
        get_adapter(request).stash_verified_email(request, invitation.email)
    return render(request, "network/invitation.html", {"invitation": invitation, "form": form})


def _decline(request, invitation):
    if not attempt(
        request, invitations.decline_invitation, invitation=invitation, user=request.user
    ):
        return render(request, "network/invitation.html", {"invitation": invitation})
    messages.info(request, _("Invitation declined."))
    return redirect("home")


def _chosen_name(user, invitation=None) -> dict:
    """The name already chosen, if any (else the one the coordinator wrote on the
    invitation): the one made from the email address is not offered."""
    profile = profiles.ensure_profile(user=user)
    name = profile.display_name
    if name == profiles.default_name(user):
        name = invitation.name if invitation is not None else ""
    return {"display_name": name}


# --- People ---------------------------------------------------------------------------


def _directory(request, cluster=None):
    form = DirectoryFilterForm(request.GET or None)
    data = {}
    if form.is_bound:
        form.full_clean()
        # The filters that hold apply; each one that does not is named on the page.
        data = form.cleaned_data
    filters = selectors.DirectoryFilters(**{k: v or "" for k, v in data.items()})
    page = selectors.member_directory(
        viewer=request.user, cluster=cluster, filters=filters, after=request.GET.get("after")
    )
    template = "network/_directory_results.html" if request.htmx else "network/directory.html"
    context = {"form": form, "page": page, "cluster": cluster, "notes": _unmatched(form, filters)}
    return render(request, template, context)


def _unmatched(form, filters) -> list[str]:
    notes = [
        _("%(filter)s not applied: %(error)s") % {"filter": form[name].label, "error": error}
        for name, errors in form.errors.items()
        for error in errors
    ]
    if filters.tag and not selectors.expertise_tags(filters.tag).exists():
        notes.append(_("Nobody lists “%(tag)s” as expertise.") % {"tag": filters.tag})
    return notes


def directory(request):
    return _directory(request)


def cluster_members(request, slug):
    return _directory(request, selectors.cluster_for(request.user, slug))


def person(request, user_id):
    profile = selectors.profile_for(request.user, user_id)
    return render(
        request,
        "network/person.html",
        {
            "profile": profile,
            "is_mine": profile.user_id == request.user.pk,
            "memberships": selectors.visible_memberships_of(
                viewer=request.user, user=profile.user
            ),
        },
    )


def _back_to(request, default):
    """Where the person came from when it was one of our pages (first-run steps), else default."""
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
def profile_edit(request):
    profile = profiles.ensure_profile(user=request.user)
    initial = {
        "display_name": profile.display_name,
        "languages": profile.languages,
        "time_zone": profile.time_zone,
        "preferred_language": profile.preferred_language,
        "bio": profile.bio,
        "expertise": ", ".join(tag.name for tag in profile.expertise.all()),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request, profiles.update_profile, form=form, profile=profile, **form.cleaned_data
        )
        if saved:
            messages.success(request, _("Profile saved."))
            return _back_to(request, profile)
    return render(request, "network/profile_form.html", {"form": form, "profile": profile})


@login_required
def organization_edit(request):
    profile = profiles.ensure_profile(user=request.user)
    organization = profile.organization
    initial = {}
    if organization is not None:
        products = list(organization.products.all())
        initial = {
            field: getattr(organization, field)
            for field in (
                "name",
                "kind",
                "country",
                "size",
                "sector",
                "first_export_year",
                "website",
                "tax_id_scheme",
                "tax_id",
            )
        }
        initial |= {
            "exported_codes": ", ".join(p.hs_code for p in products if p.status == "exports"),
            "planned_codes": ", ".join(p.hs_code for p in products if p.status == "planned"),
            "markets": [str(m.country) for m in organization.markets.all()],
        }
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            organizations.save_organization,
            form=form,
            profile=profile,
            organization=organization,
            **form.cleaned_data,
        )
        if saved:
            messages.success(request, _("Organization saved."))
            return _back_to(request, profile)
    return render(
        request,
        "network/organization_form.html",
        {
            "form": form,
            "organization": organization,
            "history": history.history_of(viewer=request.user, organization=organization),
        },
    )


@login_required
def account_erase(request):
    """Delete my account: what goes and what stays, then the password, then it is done."""
    form = EraseAccountForm(request.POST or None, user=request.user)
    refusals = erasure.erasure_refusals(user=request.user)
    limited = False
    if request.method == "POST" and not refusals:
        # Each wrong password is a guess at it: limited as allauth limits re-authentication.
        limited = not ratelimit.consume(request, action="reauthenticate", user=request.user)
        if not limited and form.is_valid():
            try:
                erasure.erase_member(user=request.user)
            except erasure.ErasureRefused as error:
                refusals = error.reasons
            else:
                logout(request)
                return redirect("account_erased")
    return render(
        request,
        "network/account_erase.html",
        {"form": form, "refusals": refusals, "limited": limited},
    )


@require_GET
def account_erased(request):
    return render(request, "network/account_erased.html")
