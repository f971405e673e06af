"""The published JSON Schemas are exactly what the models produce, and every field says what it means."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from pkgtrace.api import publish

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_checked_in_schemas_match_the_models():
    expected = publish.schema_texts()
    stale = [name for name, text in expected.items()
             if not (SCHEMAS / name).is_file() or (SCHEMAS / name).read_text() != text]
    assert not stale, f"regenerate with `python -m pkgtrace.api.publish`: {stale}"
    unknown = {p.name for p in SCHEMAS.glob("*.schema.json")} - expected.keys()
    assert not unknown, f"schema files no model produces: {sorted(unknown)}"


def test_a_changed_model_is_noticed(monkeypatch):
    # The drift check compares text: a model with one more field must not pass it.
    from pkgtrace.api.report import Report

    class Grown(Report):
        sneaked_in: int = 0

    monkeypatch.setitem(publish.DOCUMENTS, "pkgtrace-report-1.schema.json", Grown)
    grown = publish.schema_texts()["pkgtrace-report-1.schema.json"]
    assert grown != (SCHEMAS / "pkgtrace-report-1.schema.json").read_text()


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for t in _types(field.annotation):
            if isinstance(t, type) and issubclass(t, BaseModel):
                _models(t, seen)


def _types(annotation):
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _types(arg)


def test_every_field_of_every_document_is_described():
    seen: set = set()
    for model in publish.DOCUMENTS.values():
        _models(model, seen)
    missing = [f"{m.__name__}.{name}" for m in seen for name, f in m.model_fields.items()
               if not (f.description or "").strip()]
    assert not missing, missing
    # and the check reaches deep: findings inside the verdict inside the report
    assert {"Finding", "Verdict", "StaticSection", "Phase", "NetworkEvent"} <= {m.__name__ for m in seen}
