"""A new coordinator signs up, verifies the address, creates a cluster and invites a member."""

import re

import pytest

from network.models import Cluster, Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link(message, pattern: str) -> str:
    return re.search(pattern, message.body).group(0)


def test_sign_up_verify_create_cluster_and_invite(page, daphne_url, mailoutbox, screenshot_dir):
    page.goto(f"{daphne_url}/accounts/signup/")
    page.fill("input[name=email]", "valentina@example.org")
    page.fill("input[name=password1]", "a-long-demo-password-77")
    page.fill("input[name=password2]", "a-long-demo-password-77")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Verify Your Email Address")

    confirmation = mailoutbox[-1]
    assert confirmation.to == ["valentina@example.org"]
    page.goto(_link(confirmation, r"https?://\S+/accounts/confirm-email/\S+"))
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('My network')")

    page.click("main >> text=Create a cluster")
    page.fill("input[name=name]", "Cacao de Tumaco")
    page.select_option("select[name=sector]", "agrifood")
    page.select_option("select[name=country]", "CO")
    page.fill("input[name=region]", "Nariño")
    page.check("input[name=visibility][value=private]")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Manage Cacao de Tumaco')")

    invite = page.locator("section[aria-labelledby=invite-heading]")
    invite.get_by_label("Email address").fill("mentor@example.org")
    invite.get_by_label("Role").select_option("mentor")
    page.click("text=Send invitation")
    page.wait_for_selector("text=Invitation sent to mentor@example.org")
    page.screenshot(path=screenshot_dir / "invited.png", full_page=True)
    open_invitations = page.locator(
        "section[aria-labelledby=open-invitations-heading]"
    ).inner_text()
    assert "mentor@example.org · Mentor" in open_invitations

    cluster = Cluster.objects.get(name="Cacao de Tumaco")
    assert cluster.visibility == "private"
    invitation = Invitation.objects.get(cluster=cluster)
    assert (invitation.email, invitation.role) == ("mentor@example.org", "mentor")
    assert mailoutbox[-1].to == ["mentor@example.org"]
    assert invitation.get_absolute_url() in mailoutbox[-1].body
    assert page.console_errors == []
