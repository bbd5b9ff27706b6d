"""What leaves the system: the search's export, the best's documents (best.json, best.keras), entities.csv
(``documents``), and the standalone training script best.py (``best_py``).

Callers use the names below (``exports.best_document(...)``).
"""

from __future__ import annotations

from searches.exports.documents import (
    ExportUnavailable,
    best_document,
    best_model,
    best_script,
    entities_csv_lines,
    model_chunks,
    search_export,
    search_export_chunks,
    write_entities_csv,
)

__all__ = [
    "ExportUnavailable",
    "best_document",
    "best_model",
    "best_script",
    "entities_csv_lines",
    "model_chunks",
    "search_export",
    "search_export_chunks",
    "write_entities_csv",
]
