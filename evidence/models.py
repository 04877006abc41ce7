"""An agency's firm registry, customs records and past participants, each written by a batch.

Every row belongs to the import batch that wrote it, and reads only count rows of batches
that are imported: staging, replacing and rolling back are status changes and deletions of
one batch's rows, so the state before a batch can always be restored exactly. A firm's
registry entry is versioned: each batch that changes it adds a row, and the newest imported
one is the current entry (is_current, one per tax id and agency).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.models import Organization
from network.taxids import MAX_LENGTH as TAX_ID_LENGTH
from network.taxids import Scheme


class ImportBatch(models.Model):
    """One file an officer uploaded: who, when, its hash, what it held and where it stands."""

    class Kind(models.TextChoices):
        FIRMS = "firms", _("Firms")
        CUSTOMS = "customs", _("Customs records")
        PARTICIPANTS = "participants", _("Past participants")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        PREVIEW = "preview", _("Waiting for confirmation")
        REFUSED = "refused", _("Refused")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")
        REPLACED = "replaced", _("Replaced by a corrected file")
        ROLLED_BACK = "rolled_back", _("Rolled back")
        DISCARDED = "discarded", _("Discarded")

    # A file with one of these hashes is the agency's already: uploading it again is a no-op.
    HELD = (Status.CHECKING, Status.PREVIEW, Status.IMPORTING, Status.IMPORTED)

    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.CHECKING)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("size in bytes"))
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    # What the check found: the file-level reason a file was refused, and per-row counts.
    # [msgid, params], untranslated: shown in the reader's language (evidence.errors.shown).
    problem = models.JSONField(default=list, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)  # firms already so in the registry
    rows_written = models.PositiveIntegerField(default=0)
    # Refused rows as [row, column, value, msgid, params], the first of them (imports.KEPT).
    refused = models.JSONField(default=list, blank=True)
    # {"2024": {"rows": n, "firms": n, "fob_usd": "123.45"}, ...}
    totals = models.JSONField(default=dict, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    # Rows handled so far by the worker, for the progress bar (of rows_total, then written).
    progress = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-uploaded_at"]),
            models.Index(fields=["agency", "kind", "file_hash"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.IMPORTED

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class BatchFile(models.Model):
    """The uploaded bytes, apart so that listing batches never reads them; gone once done."""

    batch = models.OneToOneField(
        ImportBatch, on_delete=models.CASCADE, primary_key=True, related_name="file"
    )
    content = models.BinaryField()

    def __str__(self) -> str:
        return str(self.batch)


class RegistryFirm(models.Model):
    """One version of a firm's entry in an agency's registry, as one batch wrote it."""

    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="firms", db_index=False
    )
    scheme = models.CharField(_("tax id scheme"), max_length=8, choices=Scheme)
    tax_id = models.CharField(_("tax id"), max_length=TAX_ID_LENGTH)
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    size = models.CharField(_("size"), max_length=10, blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("registry firm")
        verbose_name_plural = _("registry firms")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "scheme", "tax_id"],
                condition=Q(is_current=True),
                name="one_current_registry_entry_per_tax_id",
            ),
            models.UniqueConstraint(
                fields=["batch", "scheme", "tax_id"], name="one_registry_row_per_batch_and_id"
            ),
        ]
        indexes = [models.Index(fields=["agency", "is_current", "scheme", "tax_id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme} {self.tax_id})"


class CustomsRecord(models.Model):
    """One line of a customs file: a firm's exports of one tariff line to one market."""

    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    scheme = models.CharField(max_length=8, choices=Scheme)
    tax_id = models.CharField(max_length=TAX_ID_LENGTH)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    tariff_code = models.CharField(max_length=10)
    hs6 = models.CharField(max_length=6)
    destination = models.CharField(max_length=2)
    fob_usd = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("customs record")
        verbose_name_plural = _("customs records")
        constraints = [
            models.CheckConstraint(condition=Q(fob_usd__gte=0), name="customs_fob_not_negative"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="customs_month_in_year",
            ),
        ]
        indexes = [models.Index(fields=["agency", "scheme", "tax_id", "year"])]

    def __str__(self) -> str:
        return f"{self.scheme} {self.tax_id} {self.year} {self.tariff_code} {self.destination}"


class PastParticipant(models.Model):
    """A firm an agency supported before the platform, and when its support began."""

    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="participants")
    scheme = models.CharField(max_length=8, choices=Scheme)
    tax_id = models.CharField(max_length=TAX_ID_LENGTH)
    start_year = models.PositiveSmallIntegerField()
    start_month = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("past participant")
        verbose_name_plural = _("past participants")
        indexes = [models.Index(fields=["agency", "scheme", "tax_id"])]

    def __str__(self) -> str:
        return f"{self.scheme} {self.tax_id} {self.start_year}"


class TaxIdLink(models.Model):
    """The trail of platform organizations taking, changing or dropping a tax id."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="tax_id_links"
    )
    scheme = models.CharField(max_length=8, choices=Scheme, blank=True)
    tax_id = models.CharField(max_length=TAX_ID_LENGTH, blank=True)
    previous = models.CharField(max_length=TAX_ID_LENGTH + 9, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tax id change")
        verbose_name_plural = _("tax id changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["scheme", "tax_id"])]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.previous or '-'} -> {self.scheme} {self.tax_id}"


class ConfirmedLink(models.Model):
    """An officer's word that an organization on the network is the registry firm of its tax id.

    Anyone can type a tax id into their organization; only this lets the organization's people
    see the agency's records of that firm. It holds while the organization keeps the tax id it
    was confirmed with: changing it, or an officer withdrawing it, ends it. Ended rows stay, as
    the trail the agency reads.
    """

    class Ending(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn by the agency")
        TAX_ID_CHANGED = "tax_id_changed", _("The organization changed its tax id")

    agency = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scheme = models.CharField(max_length=8, choices=Scheme)
    tax_id = models.CharField(max_length=TAX_ID_LENGTH)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=16, choices=Ending, blank=True)

    class Meta:
        verbose_name = _("confirmed link")
        verbose_name_plural = _("confirmed links")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "organization"],
                condition=Q(ended_at__isnull=True),
                name="one_standing_confirmation_per_agency_and_organization",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ending="")
                | (Q(ended_at__isnull=False) & ~Q(ending="")),
                name="confirmation_ends_with_a_reason",
            ),
        ]
        indexes = [models.Index(fields=["organization", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.agency_id} confirms {self.organization_id} ({self.scheme} {self.tax_id})"


class Evaluation(models.Model):
    """The estimates for one programme, one comparison group and one version of the data.

    Computed by the worker, never inside a request; asked again with the same data, the
    stored one is the answer.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Computing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Comparison(models.TextChoices):
        NEVER = "never_treated", _("Firms never supported")
        NOT_YET = "not_yet_treated", _("Firms not yet supported")

    programme = models.ForeignKey(
        "incentives.Programme", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    comparison = models.CharField(
        _("comparison firms"), max_length=16, choices=Comparison, default=Comparison.NEVER
    )
    data_version = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {outcome: estimate.Result.as_dict(), or {"error": msgid}}
    results = models.JSONField(default=dict, blank=True)
    coverage = models.JSONField(default=dict, blank=True)
    problem = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "comparison", "data_version"],
                name="one_evaluation_per_programme_comparison_and_data",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.comparison} {self.status}"
