"""What a locked-out sign-in sees (django-axes calls ``locked_out``): the sign-in page, with a plain
reason and no hint of whether the user name exists, answered 429."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def locked_out(request, credentials=None, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request)
    reason = (
        f"Too many failed sign-ins from here or for this user name: signing in is locked for {minutes} minutes. "
        "Staff can unlock it sooner in the admin (Access attempts)."
    )
    return render(request, "registration/login.html", {"form": form, "locked_out": reason}, status=429)
