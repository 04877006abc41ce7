"""Hostile lists of people uploaded by a coordinator: a file that cannot be read is refused
with its reason and leaves nothing; hostile cells are listed as text (never markup, never a
spreadsheet formula in the CSV of lines to correct) and nothing answers 500."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from network.models import Invitation, InvitationBatch
from tests.factories import UserFactory, make_cluster
from tests.hostile.harmless import FORBIDDEN_ELEMENTS
from tests.hostile.rows import unstorable_text
from tests.reporting import report

pytestmark = pytest.mark.django_db

# A NUL makes the whole file binary (refused above); every other hostile text goes in cells.
CORPUS = [
    entry["input"]
    for entry in json.loads((Path(__file__).parent / "corpus.json").read_text())
    if "\x00" not in entry["input"]
]

FILE_FAULTS = [
    ("latin-1", "email,role,name\na@example.org,follower,Café\n".encode("latin-1"), "not UTF-8"),
    ("binary", b"email,role,name\n\x00\x01\x02", "binary data"),
    ("empty", b"\n\n  \n", "The file is empty"),
    ("header only", b"email,role,name\n", "names nobody"),
    ("no email column", b"correo_x,role\na@example.org,follower\n", "must name the columns"),
    ("unclosed quote", b'email,role,name\n"a@example.org,follower,A\n', "not valid CSV"),
    ("too large", b"email,role,name\n" + b"x" * 300_000, "larger than 256 KB"),
    ("an xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "binary data"),
    (
        "too many people",
        b"email,role\n" + b"".join(b"p%d@example.org,follower\n" % n for n in range(501)),
        "more than 500 people",
    ),
]


@pytest.fixture
def setting():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    return cluster, client


def _upload(client, cluster, content: bytes, name="people.csv"):
    url = reverse("invitation_list_upload", args=[cluster.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("what", "content", "message"), FILE_FAULTS, ids=[f[0] for f in FILE_FAULTS]
)
def test_a_file_that_cannot_be_read_is_refused_with_its_reason(setting, what, content, message):
    cluster, client = setting
    response = _upload(client, cluster, content)
    report("hostile inputs tried", 1)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InvitationBatch.objects.exists() and not Invitation.objects.exists()
    report("hostile inputs rendered or refused harmlessly", 1)


def test_hostile_cells_are_listed_as_text_and_exported_formula_safe(setting):
    cluster, client = setting
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "role", "name"])
    cells = [*CORPUS, '=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2", "\u202egnp.exe"]
    for n, text in enumerate(cells):
        writer.writerow([f"p{n}@example.org", "follower", text[:120]])  # named, invitable
        writer.writerow([text, text, text])  # everything wrong
    writer.writerow(["x" * 300 + "@example.org", "mentor", "y" * 5000])
    response = _upload(client, cluster, out.getvalue().encode())
    report("hostile inputs tried", 2 * len(cells) + 1)
    assert response.status_code == 302, response.content[:500]
    batch = InvitationBatch.objects.get()
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for element in FORBIDDEN_ELEMENTS - {"form", "button", "input"}:
        assert f"<{element}" not in main.lower(), element
    fix = client.get(reverse("invitation_list_problems", args=[cluster.slug, batch.pk]))
    for row in csv.reader(io.StringIO(fix.content.decode())):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert unstorable_text() == []
    assert not Invitation.objects.exists()
    report("hostile inputs rendered or refused harmlessly", 2 * len(cells) + 1)
