"""The platform's own records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentEmail(models.Model):
    """An email the mail server accepted, under the id of the task that sent it: the row is
    written in the same transaction as the send, so a task run again after its worker died
    finds it and does not send the email a second time."""

    key = models.CharField(max_length=64, primary_key=True)
    template = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        # Created by the network app before the platform had an app of its own.
        db_table = "network_sentemail"

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.template}"
