"""Every change to the network goes through here, one module per thing it changes:
clusters, memberships (join requests and members), invitations, profiles, organizations and
sponsorships. Network's own code imports those modules; the apps above it (and their tests
and benchmarks) may use the names below, the network's door for writes."""

from network.services.bulk_invitations import preview_invitations, send_invitation_batch
from network.services.clusters import create_cluster, update_cluster
from network.services.invitations import (
    accept_invitation,
    decline_invitation,
    invite_member,
    revoke_invitation,
    verified_emails,
)
from network.services.memberships import (
    JOINABLE_ROLES,
    approve_request,
    change_role,
    decline_request,
    leave_cluster,
    reinstate_member,
    request_to_join,
    suspend_member,
)
from network.services.organizations import save_organization
from network.services.profiles import (
    default_name,
    ensure_profile,
    unique_handle,
    update_profile,
)

__all__ = [
    "JOINABLE_ROLES",
    "accept_invitation",
    "approve_request",
    "change_role",
    "create_cluster",
    "decline_invitation",
    "decline_request",
    "default_name",
    "ensure_profile",
    "invite_member",
    "leave_cluster",
    "preview_invitations",
    "reinstate_member",
    "request_to_join",
    "revoke_invitation",
    "save_organization",
    "send_invitation_batch",
    "suspend_member",
    "unique_handle",
    "update_cluster",
    "update_profile",
    "verified_emails",
]
