"""A release's stored documents read into their models, once, at the boundary: the pkgtrace report
(any published version, through api.read), the OSSF dynamic and static documents. Consumers (the
index loader, the diff, the pages) read attributes of these, never `.get()` chains of the JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from pydantic import ValidationError

from pkgtrace.api import Report, ReportError, upgrade_report
from pkgtrace.api.ossf_dynamic import DynamicResult
from pkgtrace.api.ossf_static import StaticRecord
from pkgtrace.api.read import first_problem
from pkgtrace.api.verdict import Verdict


class DocumentError(ValueError):
    """A document does not have the shape its schema promises."""


@dataclass(frozen=True)
class Documents:
    report: Report | None = None
    dynamic: DynamicResult | None = None
    static: StaticRecord | None = None


_READERS: dict[str, tuple[type, Callable[[Any], Any]]] = {
    "report": (Report, lambda d: upgrade_report(d, where="report")),
    "dynamic": (DynamicResult, lambda d: DynamicResult.model_validate(d, extra="ignore")),
    "static": (StaticRecord, lambda d: StaticRecord.model_validate(d, extra="ignore")),
}


def read_documents(documents: Mapping[str, Any], *, lenient: bool = False,
                   kinds: Iterable[str] = tuple(_READERS)) -> Documents:
    """DOCUMENTS ({"report", "dynamic", "static"}, each optional: JSON, or the model already) as
    models; only KINDS are read. A document that is not one raises DocumentError naming it;
    LENIENT (a page showing what it can) reads it as absent. OSSF documents' unknown keys are
    ignored: OSSF's own records may grow fields we do not read."""
    out: dict[str, Any] = {}
    for kind in kinds:
        model, read = _READERS[kind]
        doc = documents.get(kind)
        if not doc:
            continue
        try:
            out[kind] = doc if isinstance(doc, model) else read(doc)
        except (ReportError, ValidationError) as e:
            if not lenient:
                why = first_problem(e) if isinstance(e, ValidationError) else str(e)
                raise DocumentError(f"{kind} document: {why}") from None
    return Documents(**out)


def stored_verdict(documents: Mapping[str, Any]) -> Verdict | None:
    """The stored report's verdict as the model, None when there is none or it is not one. Only
    the verdict is read: a completion event or a release's findings need none of the rest."""
    try:
        return Verdict.model_validate(documents["report"]["verdict"])
    except (KeyError, TypeError, ValidationError):
        return None
