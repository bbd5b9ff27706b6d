"""The account's token page: make a token (shown once), see when each was last used, revoke one."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .models import ApiToken

LIFETIMES = [("", "never expires"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "a year")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="what it is for: a notebook, a CI job")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    lifetime = forms.ChoiceField(choices=LIFETIMES, required=False, initial="90", label="Expires")


# The new token waits here for the page that shows it, once: the form's POST redirects (a reload
# of the page then makes no second token), and the GET takes it out of the session.
NEW_TOKEN = "gaweb_new_token"


@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["lifetime"]
        _, request.session[NEW_TOKEN] = ApiToken.issue(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
        )
        return redirect("tokens:list")
    shown = request.session.pop(NEW_TOKEN, None)
    rows = ApiToken.objects.filter(user=request.user)
    return render(request, "tokens/tokens.html", {"form": form, "tokens": rows, "shown": shown})


@require_POST
def revoke(request, pk: int):
    row = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if row.revoked_at is None:
        ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        messages.success(request, f"Token {row.name!r} ({row.prefix}...) revoked: calls with it now get a 401.")
    return redirect("tokens:list")
