"""Personal API tokens: ``Authorization: Bearer <token>`` on the JSON API, for scripts and notebooks."""
