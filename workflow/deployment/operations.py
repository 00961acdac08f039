"""Stage 4: save stage forms (structured or as an uploaded PDF) and read the newest back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

from sqlalchemy import select

from storage import safe_download_name
from workflow import files
from workflow.deployment.forms import checked_stage_values
from workflow.deployment.specs import SPECS, FormSpec
from workflow.enablement.prechecks import sniff_stream
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import FormKind, Journey, StageForm, User
from workflow.policy import Action, authorize


def save_stage_form(
    journey: Journey, kind: FormKind, actor: User, values: Mapping[str, object]
) -> StageForm:
    """Check and keep a structured form; the newest of a kind is the one that counts.

    ``values`` are checked by the same form class the page posts to, built from the spec.
    """
    _spec_for(journey, kind, actor)
    data = checked_stage_values(kind, values)
    if not isinstance(data, dict):
        raise DomainError(data)
    form = StageForm(journey_id=journey.id, kind=kind, data=data, created_by_id=actor.id)
    db.session.add(form)
    db.session.flush()
    return form


def save_stage_document(
    journey: Journey, kind: FormKind, actor: User, stream: BinaryIO, filename: str
) -> StageForm:
    """Keep an uploaded PDF in place of the structured form (MRD, PRD)."""
    spec = _spec_for(journey, kind, actor)
    if not spec.allows_document:
        raise DomainError(_l("The %(form)s is a form; fill it in.", form=spec.title))
    if sniff_stream(stream) != "pdf":
        raise DomainError(_l("Upload the document as a PDF."))
    with files.stored(stream, content_type="application/pdf") as obj:
        form = StageForm(
            journey_id=journey.id,
            kind=kind,
            data={},
            file_id=obj.file_id,
            filename=safe_download_name(filename, fallback=f"{kind.value}.pdf"),
            content_type="application/pdf",
            sha256=obj.sha256,
            size=obj.size,
            created_by_id=actor.id,
        )
        db.session.add(form)
        db.session.flush()
    return form


def latest_form(journey: Journey, kind: FormKind) -> StageForm | None:
    loaded = journey.preloaded("stage_forms")
    if loaded is not None:
        return next((form for form in reversed(loaded) if form.kind == kind), None)
    stmt = select(StageForm).where(StageForm.journey_id == journey.id, StageForm.kind == kind)
    return db.session.scalar(stmt.order_by(StageForm.id.desc()).limit(1))


def form_action(kind: FormKind | str, **_) -> Action:
    """Filling in a stage form is the applicant's, except the records staff keep (the meeting
    minutes, the cloud environment configured)."""
    try:
        return SPECS[FormKind(kind)].action
    except ValueError:
        raise NotFound(_l("No such form.")) from None


def _spec_for(journey: Journey, kind: FormKind, actor: User) -> FormSpec:
    authorize(actor, form_action(kind), journey)
    spec = SPECS[kind]
    if journey.state not in spec.states:
        raise DomainError(_l("The %(form)s cannot be changed at this stage.", form=spec.title))
    return spec
