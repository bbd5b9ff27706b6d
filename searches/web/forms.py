from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from searches.genetics import SpecError
from searches.reads.objectives import objective_traits
from searches.spec.search import MAX_SPEC_BYTES, SearchSpec, decode_spec, parse_spec


class SpecForm(forms.Form):
    """A search spec as JSON text (what the trait editor writes) or as an uploaded file."""

    spec = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}), required=False)
    upload = forms.FileField(required=False, help_text="or upload a spec file (.json)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec_errors: dict[str, list[str]] = {}
        self.parsed: SearchSpec | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            raw = self._uploaded(cleaned.get("upload"))
        except SpecError as error:
            # A file that is not a spec at all: its error goes beside the upload control.
            self.add_error("upload", f"the uploaded file is not a spec. {error}")
            return cleaned
        try:
            if raw is None:
                if not cleaned.get("spec", "").strip():
                    raise SpecError("write a spec, or upload one")
                raw = decode_spec(cleaned["spec"])
            self.parsed = parse_spec(raw, data_roots=settings.GAWEB_DATA_ROOTS, objectives=objective_traits())
        except SpecError as error:
            self.spec_errors = error.errors
            for path, messages in error.errors.items():
                for message in messages:
                    self.add_error(None, f"{path}: {message}" if path else message)
        return cleaned

    @staticmethod
    def _uploaded(upload) -> Any:
        """The JSON value of the uploaded file (None: no file), or ``SpecError`` naming the file."""
        if not upload:
            return None
        if upload.size > MAX_SPEC_BYTES:
            raise SpecError(f"{upload.name}: the spec is larger than {MAX_SPEC_BYTES // 1024} KB")
        return decode_spec(upload.read(), source=upload.name)
