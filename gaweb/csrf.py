from __future__ import annotations

from django.http import JsonResponse
from django.views.csrf import csrf_failure as page_failure


def csrf_failure(request, reason: str = ""):
    """A JSON 403 for API calls (a script gets a message it can read), Django's page otherwise."""
    if request.path.startswith("/api/"):
        if not request.user.is_authenticated:  # most likely a script that forgot its token
            message = "sign in first: send Authorization: Bearer <token> (make one at /accounts/tokens/)"
            return JsonResponse({"error": message}, status=401)
        return JsonResponse(
            {"error": f"CSRF check failed ({reason}): send the csrftoken cookie's value as X-CSRFToken"}, status=403
        )
    return page_failure(request, reason=reason)
