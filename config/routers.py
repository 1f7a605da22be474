"""Public reads from a read replica, when one is configured; everything else from the primary.

Only an anonymous visitor's GET or HEAD reads case data from the `replica` alias: public pages
look the same to everyone, and a replica a moment behind shows what the primary showed a moment
ago. Everything else uses the primary (`default`):

- every write, and every read later in a request that has written (read-your-writes);
- every request by a signed-in user (staff must see what they have just saved);
- every request for a few seconds after one that wrote, from the same browser (a cookie), so a
  visitor who has just signed out, or failed to sign in, does not read a lagging replica;
- sessions, accounts, sign-in attempts and everything else outside the `cases` app;
- management commands, tasks and the shell (no request: the primary).
"""

import contextvars

from django.conf import settings
from django.core.signals import request_finished

REPLICA = "replica"
REPLICA_APPS = {"cases"}
PIN_COOKIE = "read_primary_until"
# Longer than a healthy replica's lag (usually well under a second).
PIN_SECONDS = 10

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)
_wrote = contextvars.ContextVar("wrote", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_allowed.get() and model._meta.app_label in REPLICA_APPS:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        _replica_allowed.set(False)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # a replica copies the primary's schema by itself


class ReplicaMiddleware:
    """Decides, per request, whether its reads may use the replica; pins a writer to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if REPLICA not in settings.DATABASES:
            return self.get_response(request)
        _wrote.set(False)
        _replica_allowed.set(
            request.method in ("GET", "HEAD")
            and not request.user.is_authenticated
            and not _pinned(request)
        )
        response = self.get_response(request)
        if _wrote.get():
            # Signed, and good for PIN_SECONDS from its signing: a visitor cannot forge one that
            # keeps every request of theirs on the primary.
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_COOKIE,
                max_age=PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _pinned(request):
    pin = request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_COOKIE, max_age=PIN_SECONDS)
    return pin is not None


def _back_to_primary(**kwargs):
    # After the response has been sent (a streamed CSV included), not when the view returns:
    # whatever runs next in this thread outside a request reads the primary.
    _replica_allowed.set(False)


request_finished.connect(_back_to_primary, dispatch_uid="config.routers.back_to_primary")
