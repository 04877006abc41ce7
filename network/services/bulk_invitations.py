"""Inviting many people at once: a coordinator uploads a CSV (email, role, name), sees which
rows can be invited and why the others cannot, then sends them all, once.

Nobody is invited twice: a person already a member, already invited and not yet answering,
or written twice in the file is listed as a problem, never sent; sending re-checks every row
under a lock on the cluster, so two confirmations at once (or two files naming the same
person) invite each person once.
"""

import csv
import io

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.text import clean_text, storable
from network.models import Cluster, Invitation, InvitationBatch, Membership, User
from network.services.invitations import invite_member
from network.services.memberships import require_coordinator

Role = Membership.Role
Status = Membership.Status

MAX_BYTES = 256 * 1024
MAX_ROWS = 500
# Coordinators and agency observers hold powers: they are invited one at a time.
BULK_ROLES = (Role.FOLLOWER, Role.MENTOR)
LANGUAGES = ("en", "es", "pt-br")
COLUMNS = {
    "email": {"email", "e-mail", "correo", "correo electrónico", "mail"},
    "role": {"role", "rol", "papel", "função", "funcao"},
    "name": {"name", "nombre", "nome"},
}


def _role_names() -> dict[str, str]:
    """Each role as a file may write it: its value, or its label in a shipped language."""
    names = {}
    for role in Role:
        names[role.value] = role.value
        for language in LANGUAGES:
            with translation.override(language):
                names[str(role.label).casefold()] = role.value
    # Gendered forms the labels do not carry.
    names.update({"seguidora": Role.FOLLOWER, "mentora": Role.MENTOR})
    return names


def _text(content: bytes) -> str:
    if not content.strip():
        raise DomainError(gettext_lazy("The file is empty."))
    if len(content) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(kb)d KB. Send at most %(rows)d people at a time.")
            % {"kb": MAX_BYTES // 1024, "rows": MAX_ROWS}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            gettext_lazy("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from None
    if "\x00" in text:
        raise DomainError(gettext_lazy("The file holds binary data, not CSV text."))
    return text


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {"email", "role", "name"}) for each non-empty line of the file."""
    text = _text(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip().casefold() for cell in next(reader)]
    except (StopIteration, csv.Error):
        raise DomainError(gettext_lazy("The first line must name the columns.")) from None
    where = {}
    for column, names in COLUMNS.items():
        found = [i for i, cell in enumerate(header) if cell in names]
        if found:
            where[column] = found[0]
    if "email" not in where or "role" not in where:
        raise DomainError(
            gettext_lazy(
                "The first line must name the columns email, role and name (name may be "
                "left empty)."
            )
        )
    rows = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise DomainError(
                _("Line %(line)d is not valid CSV (an unclosed quote?).")
                % {"line": reader.line_num}
            ) from None
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(
                _("The file lists more than %(rows)d people. Split it and send each part.")
                % {"rows": MAX_ROWS}
            )
        row = {
            column: storable(cells[i]).strip() if i < len(cells) else ""
            for column, i in where.items()
        }
        row.setdefault("name", "")
        rows.append((reader.line_num, row))
    if not rows:
        raise DomainError(gettext_lazy("The file names nobody to invite."))
    return rows


def _members_and_pending(cluster: Cluster, emails: set[str]) -> tuple[dict, set[str]]:
    """{email: membership status} for people with one of `emails` verified who hold a place
    in the cluster, and the `emails` with an invitation still waiting for an answer."""
    places = {}
    memberships = (
        Membership.objects.filter(
            cluster=cluster,
            status__in=(Status.ACTIVE, Status.SUSPENDED),
            user__emailaddress__verified=True,
        )
        .annotate(address=Lower("user__emailaddress__email"))
        .filter(address__in=emails)
        .values_list("address", "status")
    )
    for email, status in memberships:
        places[email.lower()] = status
    pending = {
        email.lower()
        for email in Invitation.objects.filter(
            cluster=cluster,
            email__in=emails,
            accepted_at=None,
            declined_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        ).values_list("email", flat=True)
    }
    return places, pending


def _name_too_long(name: str) -> str:
    try:
        clean_text(name, model=Invitation, field="name", error=DomainError)
    except DomainError as error:
        return str(error.message)
    return ""


def check_rows(
    *, cluster: Cluster, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[dict], list[dict]]:
    """The rows that can be invited, and the others each with the reason, in file order."""
    roles = _role_names()
    good, bad, seen = [], [], {}
    emails = {User.objects.normalize_email(row["email"]).lower() for _n, row in rows}
    places, pending = _members_and_pending(cluster, emails)
    name_limit = Invitation._meta.get_field("name").max_length
    for number, row in rows:
        email = User.objects.normalize_email(row["email"]).lower()
        role = roles.get(row["role"].casefold())
        shown = {"row": number, "email": row["email"][:254], "role": row["role"][:40]}
        shown["name"] = row["name"][:name_limit]
        reason = None
        try:
            validate_email(email)
        except ValidationError:
            reason = _("Not a valid email address.")
        if reason:
            pass
        elif role is None:
            reason = _("Unknown role: write follower or mentor.")
        elif role not in BULK_ROLES:
            reason = _(
                "Coordinators and agency observers are invited one at a time, from the "
                "cluster's page."
            )
        elif len(row["name"]) > name_limit:
            reason = _name_too_long(row["name"])
        elif email in seen:
            reason = _("Already on row %(row)d of this file.") % {"row": seen[email]}
        elif places.get(email) == Status.ACTIVE:
            reason = _("Already a member.")
        elif places.get(email) == Status.SUSPENDED:
            reason = _("Suspended from this cluster; reinstate them instead.")
        elif email in pending:
            reason = _("Already invited; the invitation is waiting for an answer.")
        if reason:
            bad.append({**shown, "reason": reason})
            continue
        seen[email] = number
        good.append({"row": number, "email": email, "role": role, "name": row["name"]})
    return good, bad


@transaction.atomic
def preview_invitations(
    *, cluster: Cluster, by: User, content: bytes, file_name: str = ""
) -> InvitationBatch:
    """Read and check an uploaded list; nothing is sent until `send_invitation_batch`."""
    require_coordinator(cluster=cluster, by=by)
    good, bad = check_rows(cluster=cluster, rows=read_rows(content))
    return InvitationBatch.objects.create(
        cluster=cluster,
        created_by=by,
        file_name=storable(file_name)[:200],
        rows=good,
        problems=bad,
    )


@transaction.atomic
def send_invitation_batch(*, batch: InvitationBatch, by: User) -> InvitationBatch:
    """Invite every row of a previewed list, or nobody: refused if the list was already
    sent, or if anyone in it was invited or joined since the preview."""
    # One bulk sending at a time per cluster: two lists naming one person cannot both send.
    Cluster.objects.select_for_update().filter(pk=batch.cluster_id).first()
    batch = InvitationBatch.objects.select_for_update().get(pk=batch.pk)
    require_coordinator(cluster=batch.cluster, by=by)
    if batch.sent_at is not None:
        raise DomainError(gettext_lazy("This list was already sent; nobody was invited again."))
    if not batch.rows:
        raise DomainError(gettext_lazy("Nobody on this list can be invited."))
    rows = [(row["row"], row) for row in batch.rows]
    _good, changed = check_rows(cluster=batch.cluster, rows=rows)
    if changed:
        raise DomainError(
            _(
                "Since the preview, %(email)s (row %(row)d) can no longer be invited: %(reason)s "
                "Nobody was invited; upload the file again to see the list as it is now."
            )
            % {
                "email": changed[0]["email"],
                "row": changed[0]["row"],
                "reason": changed[0]["reason"],
            }
        )
    for row in batch.rows:
        invite_member(
            cluster=batch.cluster, by=by, email=row["email"], role=row["role"], name=row["name"]
        )
    batch.sent_at, batch.sent_by = timezone.now(), by
    batch.save(update_fields=["sent_at", "sent_by"])
    return batch
