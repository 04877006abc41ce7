"""Network pages: each parses input, checks who may see what, calls a service, renders."""

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import home_panels
from network import erasure, selectors, services
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
from network.services import NetworkError, NotAllowed


def _forbidden(request, message):
    return render(request, "403.html", {"message": message}, status=403)


def _refused(request, error: NetworkError, to: str):
    messages.error(request, error.message)
    return redirect(to)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    if not request.user.is_authenticated:
        return render(request, "network/landing.html", {"clusters": selectors.public_clusters()})
    return render(
        request,
        "network/home.html",
        {
            "memberships": selectors.my_memberships(request.user),
            "invitations": selectors.open_invitations_for(
                request.user, services.verified_emails(request.user)
            ),
            "requests_to_review": selectors.join_requests_to_review(request.user)[:20],
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
        try:
            cluster = services.create_cluster(creator=request.user, **form.cleaned_data)
        except NetworkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Cluster created. Invite its first members."))
            return redirect("cluster_manage", slug=cluster.slug)
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


def _coordinated_cluster(request, slug):
    """The cluster and None if the person coordinates it, else the response that refuses."""
    # Visibility first: a private cluster's URLs answer 404 even before sign-in.
    cluster = selectors.cluster_for(request.user, slug)
    if not request.user.is_authenticated:
        return cluster, redirect_to_login(request.get_full_path())
    membership = selectors.membership_of(request.user, cluster)
    if membership is None or not membership.is_coordinator:
        return cluster, _forbidden(request, _("Only the cluster's coordinators can do this."))
    return cluster, None


def cluster_edit(request, slug):
    cluster, refusal = _coordinated_cluster(request, slug)
    if refusal:
        return refusal
    initial = {field: getattr(cluster, field) for field in ClusterForm.base_fields}
    form = ClusterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cluster(cluster=cluster, by=request.user, **form.cleaned_data)
        except NetworkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Cluster details saved."))
            return redirect(cluster)
    return render(request, "network/cluster_form.html", {"form": form, "cluster": cluster})


def cluster_manage(request, slug):
    cluster, refusal = _coordinated_cluster(request, slug)
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
    cluster, refusal = _coordinated_cluster(request, slug)
    if refusal:
        return refusal
    form = InviteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("cluster_manage", slug=slug)
    try:
        invitation = services.invite_member(cluster=cluster, by=request.user, **form.cleaned_data)
    except NetworkError as error:
        return _refused(request, error, reverse("cluster_manage", args=[slug]))
    messages.success(
        request,
        _("Invitation sent to %(email)s. The link works for %(days)s days.")
        % {"email": invitation.email, "days": INVITATION_LIFETIME.days},
    )
    return redirect("cluster_manage", slug=slug)


@require_POST
def invitation_revoke(request, slug, invitation_id):
    cluster, refusal = _coordinated_cluster(request, slug)
    if refusal:
        return refusal
    invitation = get_object_or_404(Invitation, pk=invitation_id, cluster=cluster)
    back = reverse("cluster_manage", args=[slug])
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except NetworkError as error:
        return _refused(request, error, back)
    messages.success(
        request,
        _("Invitation to %(email)s withdrawn: its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect(back)


@login_required
@require_POST
def cluster_join(request, slug):
    cluster = selectors.cluster_for(request.user, slug)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you join as a follower or as a mentor."))
        return redirect(cluster)
    try:
        services.request_to_join(cluster=cluster, user=request.user, **form.cleaned_data)
    except NetworkError as error:
        return _refused(request, error, cluster.get_absolute_url())
    messages.success(request, _("Request sent. The coordinators will answer by email."))
    return redirect(cluster)


@login_required
@require_POST
def cluster_leave(request, slug):
    cluster = selectors.cluster_for(request.user, slug)
    membership = selectors.membership_of(request.user, cluster)
    if membership is None:
        raise Http404
    try:
        services.leave_cluster(membership=membership)
    except NetworkError as error:
        return _refused(request, error, cluster.get_absolute_url())
    messages.success(request, _("You have left %(cluster)s.") % {"cluster": cluster.name})
    return redirect("home" if not cluster.is_public else cluster.get_absolute_url())


@require_POST
def membership_action(request, slug, membership_id, action):
    """A coordinator's decision on one membership: approve, decline, role, suspend, reinstate."""
    cluster, refusal = _coordinated_cluster(request, slug)
    if refusal:
        return refusal
    membership = get_object_or_404(Membership, pk=membership_id, cluster=cluster)
    back = reverse("cluster_manage", args=[slug])
    reason = ReasonForm(request.POST)
    reason_text = reason.cleaned_data["reason"] if reason.is_valid() else ""
    try:
        if action == "approve":
            services.approve_request(membership=membership, by=request.user)
            done = _("Request approved.")
        elif action == "decline":
            services.decline_request(membership=membership, by=request.user, reason=reason_text)
            done = _("Request declined.")
        elif action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise NetworkError(_("Choose one of the roles offered."))
            services.change_role(membership=membership, by=request.user, **form.cleaned_data)
            done = _("Role changed.")
        elif action == "suspend":
            services.suspend_member(membership=membership, by=request.user, reason=reason_text)
            done = _("Member suspended.")
        elif action == "reinstate":
            services.reinstate_member(membership=membership, by=request.user)
            done = _("Member reinstated.")
        else:
            raise Http404
    except NotAllowed as error:
        return _forbidden(request, error.message)
    except NetworkError as error:
        return _refused(request, error, back)
    messages.success(request, done)
    return redirect(back)


def invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("cluster"), token=token)
    form = None
    if request.user.is_authenticated:
        form = InvitationAcceptForm(request.POST or None, initial=_chosen_name(request.user))
    if request.method == "POST" and form is not None:
        if request.POST.get("answer") == "decline":
            return _decline(request, invitation)
        if form.is_valid():
            try:
                services.accept_invitation(
                    invitation=invitation, user=request.user, **form.cleaned_data
                )
            except NetworkError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("Welcome to %(cluster)s.") % {"cluster": invitation.cluster.name}
                )
                return redirect(invitation.cluster)
    elif not request.user.is_authenticated and invitation.is_open:
        # Holding the emailed link proves the address, so sign-up skips re-verifying it.
        get_adapter(request).stash_verified_email(request, invitation.email)
    return render(request, "network/invitation.html", {"invitation": invitation, "form": form})


def _decline(request, invitation):
    try:
        services.decline_invitation(invitation=invitation, user=request.user)
    except NetworkError as error:
        messages.error(request, error.message)
        return render(request, "network/invitation.html", {"invitation": invitation})
    messages.info(request, _("Invitation declined."))
    return redirect("home")


def _chosen_name(user) -> dict:
    """The name already chosen, if any: the one made from the email address is not offered."""
    profile = services.ensure_profile(user=user)
    name = profile.display_name
    return {"display_name": "" if name == services.default_name(user) else name}


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
    profile = services.ensure_profile(user=request.user)
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
        try:
            services.update_profile(profile=profile, **form.cleaned_data)
        except NetworkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Profile saved."))
            return _back_to(request, profile)
    return render(request, "network/profile_form.html", {"form": form, "profile": profile})


@login_required
def organization_edit(request):
    profile = services.ensure_profile(user=request.user)
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
        try:
            services.save_organization(
                profile=profile, organization=organization, **form.cleaned_data
            )
        except NetworkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Organization saved."))
            return _back_to(request, profile)
    return render(
        request, "network/organization_form.html", {"form": form, "organization": organization}
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
