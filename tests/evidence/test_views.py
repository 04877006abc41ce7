"""The officer's journey through the pages: upload, preview, confirm, progress, roll back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import ImportBatch, RegistryFirm
from tests.evidence.conftest import RUC, firms_file, imported

pytestmark = pytest.mark.django_db


def _upload(client, content: bytes, kind="firms", name="firms.csv", **extra):
    return client.post(
        reverse("evidence:upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content), **extra},
    )


def test_officer_uploads_previews_and_confirms(
    client, officer, agency, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, firms_file(f"{RUC[3]},RUC,=1+2,,,"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "evidence:batch", args=[batch.pk]
    )
    page = client.get(response.url).content.decode()
    assert "Import 3 rows" in page and "Starts like a spreadsheet formula" in page
    assert not RegistryFirm.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evidence:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert RegistryFirm.objects.filter(is_current=True).count() == 3


def test_progress_is_polled_while_the_worker_runs(client, officer):
    client.force_login(officer)
    _upload(client, firms_file())  # the worker has not run: the check waits
    batch = ImportBatch.objects.get()
    fragment = client.get(
        reverse("evidence:batch", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    body = fragment.content.decode()
    assert "<progress" in body and 'hx-trigger="every 2s"' in body
    assert "<html" not in body


def test_refused_rows_download_cannot_run_as_formulas(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, firms_file(f'{RUC[3]},RUC,=HYPERLINK("http://x"),,,'))
    batch = ImportBatch.objects.get()
    csv_text = client.get(reverse("evidence:refused_csv", args=[batch.pk])).content.decode()
    assert "'=HYPERLINK" in csv_text
    assert "\n=" not in csv_text and ",=" not in csv_text


def test_the_same_file_twice_is_told_and_changes_nothing(client, officer):
    imported(officer, "firms", firms_file())
    client.force_login(officer)
    response = _upload(client, firms_file())
    assert response.status_code == 200 and "nothing changed" in response.content.decode()
    assert ImportBatch.objects.count() == 1


def test_another_agencys_officer_gets_404_for_the_batch(client, officer, other_officer):
    batch = imported(officer, "firms", firms_file())
    client.force_login(other_officer)
    for name in ("evidence:batch", "evidence:refused_csv"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("evidence:rollback", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED


def test_officer_sees_which_firm_on_the_network_matches_a_registry_row(client, officer, agency):
    from network import services
    from tests.factories import UserFactory

    imported(officer, "firms", firms_file())
    person = UserFactory()
    services.save_organization(
        profile=person.profile,
        name="Café Andino",
        kind="firm",
        country="PE",
        tax_id_scheme="RUC",
        tax_id=f" {RUC[0]} ",
    )
    client.force_login(officer)
    page = client.get(reverse("evidence:imports")).content.decode()
    assert "registry: Café Andino SAC" in page
    assert RUC[0] in page
