"""``Authorization: Bearer <token>``: the token's user is the caller, on the JSON API (``/api/``)
and on every page read (GET: the downloads, ``best.json``, ``entities.csv``...).

A call with a token needs no CSRF token: CSRF protects a browser's cookies from other sites,
and a token is never sent by a browser on its own. A call signed in with the session's cookie
still needs one. A token with the ``read`` scope may only read (GET, HEAD, OPTIONS). Outside
``/api/`` a token only reads: a page's form is posted with the session, as ever.

Each token may make ``GAWEB_TOKEN_RATE`` calls (``600/m`` by default), counted in Redis by
django-ratelimit, so that a runaway script cannot take the web processes from everyone else;
past it, a 429 with ``Retry-After``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django_ratelimit.core import get_usage

from .models import TOKEN_PREFIX, ApiToken, digest

API_PREFIX = "/api/"
PAGE = "/accounts/tokens/"  # where a user makes and revokes their tokens
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A token's last use is written at most this often: a script polling every second writes nothing most times.
LAST_USED_EVERY = timedelta(minutes=1)

log = logging.getLogger("gaweb.tokens")


class TokenAuthenticationMiddleware:
    """After Django's ``AuthenticationMiddleware``: a token, where one is given, decides who calls."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        api = request.path.startswith(API_PREFIX)
        if header is None or not (api or request.method in SAFE_METHODS):
            return self.get_response(request)
        kind, _, token = header.partition(" ")
        if not api and not token.strip().startswith(TOKEN_PREFIX):
            return self.get_response(request)  # another scheme's (/metrics has its own token): not ours to judge
        if kind.lower() != "bearer" or not token.strip() or " " in token.strip():
            return _refused(401, f"the Authorization header must be 'Bearer <token>' (tokens: {PAGE})")
        row = ApiToken.objects.select_related("user").filter(digest=digest(token.strip())).first()
        if row is None or row.revoked_at is not None or not row.user.is_active:
            return _refused(
                401, "this token is not valid: it was revoked, or never existed (tokens: /accounts/tokens/)"
            )
        if row.expired:
            return _refused(
                401, f"this token expired on {row.expires_at:%Y-%m-%d %H:%M} UTC (tokens: /accounts/tokens/)"
            )
        if request.method not in SAFE_METHODS and not row.writes:
            return _refused(403, "this token may only read: make one with the read and write scope to change anything")
        if (refusal := _over_rate(request, row)) is not None:
            return refusal
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        request.api_token = row
        request._dont_enforce_csrf_checks = True  # see the module's docstring
        return self.get_response(request)


def _over_rate(request, row: ApiToken) -> JsonResponse | None:
    """A 429 once the token has made its ``GAWEB_TOKEN_RATE`` calls in the current period."""
    rate = settings.GAWEB_TOKEN_RATE
    if not rate:
        return None
    try:
        # Keyed by the token's digest, not its row's id: installations that share a Redis (two
        # checkouts on one machine) number their tokens alike, and must not share their counts.
        usage = get_usage(request, group="gaweb.tokens", key=lambda _g, _r: row.digest, rate=rate, increment=True)
    except Exception as error:  # Redis down: the API stays up (jobs cannot be sent either, and say so)
        log.warning("token calls are not counted: %s", error)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    wait = max(1, usage["time_left"])
    response = _refused(
        429, f"this token made more than {rate} calls (GAWEB_TOKEN_RATE): try again in {wait} s", retry_after=wait
    )
    return response


def _refused(status: int, message: str, *, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="gaweb"'
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
