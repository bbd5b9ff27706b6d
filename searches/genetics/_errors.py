from __future__ import annotations

from collections.abc import Mapping


class SpecError(ValueError):
    """A search description that cannot be used, with every problem found.

    ``errors`` maps a field path (``"traits[2].low"``, ``"ga.population"``) to the
    messages about that field, so that a form or an API can show each message next
    to the field that caused it. The empty path ``""`` holds errors about the whole.
    """

    def __init__(self, errors: Mapping[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors: dict[str, list[str]] = {path: list(msgs) for path, msgs in errors.items()}
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = []
        for path, messages in self.errors.items():
            for message in messages:
                lines.append(f"{path}: {message}" if path else message)
        return "; ".join(lines)

    def prefixed(self, prefix: str) -> SpecError:
        """The same errors with ``prefix`` put before every path."""
        return SpecError({_join(prefix, path): msgs for path, msgs in self.errors.items()})


class ErrorCollector:
    """Gathers errors from several checks so that all of them are reported at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def merge(self, error: SpecError, prefix: str = "") -> None:
        for path, messages in error.errors.items():
            for message in messages:
                self.add(_join(prefix, path), message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SpecError(self.errors)


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"
