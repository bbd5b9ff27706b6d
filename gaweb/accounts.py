from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model


def ensure_first_admin(username: str = "admin") -> str | None:
    """Create a staff account with a random password when no account exists yet.

    Returns the password, to be shown once; None when accounts already exist.
    """
    users = get_user_model()
    if users.objects.exists():
        return None
    password = secrets.token_urlsafe(12)
    users.objects.create_superuser(username=username, email="", password=password)
    return password
