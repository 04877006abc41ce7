"""Django's database sessions, each read by one compiled statement (core.compiled): every
signed-in page reads its session before anything else."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.compiled import compiled_read


@compiled_read()
def _unexpired(p):
    return Session.objects.filter(session_key=p.key, expire_date__gt=p.now)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _unexpired(key=self.session_key, now=timezone.now()) if self.session_key else []
        if not found:
            self._session_key = None
            return None
        return found[0]
