"""Copy what a submission's packet must show from the models into plain ``PacketData``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workflow.deployment.specs import NO, SPECS, YES, labelled_values
from workflow.extensions import db
from workflow.i18n import _l, force_locale
from workflow.models import (
    DOCUMENT_TITLES,
    AccountKind,
    DocumentVersion,
    Event,
    FormKind,
    Journey,
    ReviewStatus,
    SellerList,
    SellerListKind,
    StageForm,
)
from workflow.packets import values
from workflow.packets.bilingual import english
from workflow.packets.data import DocumentEntry, PacketData, Section, SellerDiff, Table, TrailEvent
from workflow.packets.evidence import evidence_sections, sandbox_sections
from workflow.stages import state_name
from workflow.trail import event_title

#: The state a submission enters, and the packet it produces.
PACKET_KIND_FOR_STATE = {
    "enablement_submitted": "enablement",
    "api_access_submitted": "api_access",
    "mrd_prd_submitted": "mrd_prd",
    "cloud_plan_submitted": "cloud_plan",
    "cloud_verification_submitted": "cloud_verification",
    "exemption_submitted": "exemption",
    "authorization_submitted": "authorization",
    "distribution_submitted": "distribution",
}

KIND_TITLES = {
    "enablement_seller": english(_l("Enablement request (seller)")),
    "enablement_isv": english(_l("Enablement request (ISV)")),
    "api_access": english(_l("API authorization request")),
    "mrd_prd": english(_l("MRD and PRD")),
    "cloud_plan": english(_l("Cloud deployment plan")),
    "cloud_verification": english(_l("Cloud verification")),
    "exemption": english(_l("Own-server exemption request")),
    "authorization": english(_l("Authorization request")),
    "distribution": english(_l("Distribution request")),
}


def packet_kind(journey: Journey, state: str) -> str | None:
    kind = PACKET_KIND_FOR_STATE.get(state)
    if kind == "enablement":
        # The packet follows the path: a TP takes the ISV's (§1.1), documents a–f and all.
        kind = "enablement_isv" if journey.account.takes_isv_path else "enablement_seller"
    return kind


def kind_title(kind: str, account_kind: AccountKind) -> str:
    if kind == "enablement_isv" and account_kind is AccountKind.tp:
        return english(_l("Enablement request (TP, on the ISV path)"))
    return KIND_TITLES[kind]


def reference_for(journey: Journey) -> str:
    """Unique per submission: the journey's version moves on with every change."""
    return f"PKT-{journey.id:06d}-{journey.version_id:04d}"


def events_before(journey: Journey, submission: Event | None = None) -> list[Event]:
    """The trail a packet shows: every event recorded before its submission's own event
    (all of them while that event is still being prepared)."""
    stmt = select(Event).where(Event.journey_id == journey.id)
    if submission is not None:
        stmt = stmt.where(Event.id < submission.id)
    return list(db.session.scalars(stmt.order_by(Event.id)))


def build_packet_data(
    journey: Journey, kind: str, *, reference: str, submitted_at: datetime, trail: list[Event]
) -> PacketData:
    """The packet of a submission made at ``submitted_at``, after the events in ``trail``.

    The trail ends before the submission's own event, whose hash covers this packet's SHA-256.
    """
    account = journey.account
    app = journey.app
    sections, documents, seller_ids, seller_diff = _CONTENT[kind](journey, submitted_at)
    sections = sections + sandbox_sections(journey, trail) + evidence_sections(journey)
    return PacketData(
        reference=reference,
        kind=kind,
        kind_title=kind_title(kind, account.kind),
        account_name=account.name,
        account_type=english(account.kind.label),
        taobao_account_id=account.taobao_account_id,
        app_name=app.name if app else None,
        app_key=app.app_key if app else None,
        submitted_at=submitted_at,
        reviewer_mailbox=current_app.config["TMALL_MAILBOX"],
        sections=sections,
        documents=documents,
        seller_ids=seller_ids,
        seller_list_title=english(_l("Authorization list"))
        if kind == "authorization"
        else english(_l("Distribution list")),
        seller_diff=seller_diff,
        events=_trail_events(trail),
        chain_hash=trail[-1].hash if trail else "",
        exemption_note=_exemption_note(journey, trail),
    )


def _trail_events(trail: list[Event]) -> list[TrailEvent]:
    """The trail in English, the packet data's language, whoever's request builds it; the
    template puts the Chinese beside each event and state it knows."""
    with force_locale("en"):
        return [_trail_event(e) for e in trail]


def _trail_event(e: Event) -> TrailEvent:
    actor = values.SYSTEM
    if e.actor is not None:
        actor = values.TMALL_GLOBAL if e.actor.is_staff else e.actor.display_name
    return TrailEvent(
        at=e.created_at,
        actor=actor,
        event=event_title(e),
        from_state=state_name(e.from_state) if e.from_state else "",
        to_state=state_name(e.to_state),
        comment=e.comment or None,
        hash=e.hash,
        is_decision=e.is_decision,
    )


def _exemption_note(journey: Journey, trail: list[Event]) -> str | None:
    approved = next(
        (e for e in trail if e.from_state == "exemption_submitted" and e.event == "approve"),
        None,
    )
    if approved is None:
        return None
    form = latest_form(journey, FormKind.exemption)
    where = ""
    if form is not None:
        where = " Hosting: " + ", ".join(
            str(form.data.get(k))
            for k in ("hosting_location", "region", "hosting_provider")
            if form.data.get(k)
        )
    return f"Own-server exemption approved on {approved.created_at:%Y-%m-%d}.{where}".rstrip(": ")


def latest_form(journey: Journey, kind: FormKind) -> StageForm | None:
    return db.session.scalars(
        select(StageForm)
        .where(StageForm.journey_id == journey.id, StageForm.kind == kind)
        .order_by(StageForm.id.desc())
        .limit(1)
    ).first()


def _opener(row) -> Callable:
    """Open ``row``'s file when the packet embeds it; a file deleted under retention refuses
    with its date, so a rebuild says why it cannot embed it."""
    from workflow.retention import ensure_file_kept
    from workflow.storage_setup import get_storage

    storage = get_storage()
    return lambda: storage.open(ensure_file_kept(row))


def _recorded(text) -> str:
    """A stage form's value as the packet records it: a confirmation box as the desk's word."""
    if text is YES:
        return values.FORM_YES
    return values.FORM_NO if text is NO else text


def _form_section(
    kind: FormKind, form: StageForm | None
) -> tuple[list[Section], list[DocumentEntry]]:
    title = english(SPECS[kind].title)
    if form is None:
        return [Section(title, paragraphs=[values.NOT_PROVIDED])], []
    rows = [
        (english(label), _recorded(text)) for label, text in labelled_values(kind, form.data or {})
    ]
    documents = []
    if form.file_id:
        rows.append((english(_l("Uploaded document")), form.filename or "document"))
        documents.append(
            DocumentEntry(
                kind_label=title,
                filename=form.filename or "document",
                size=form.size or 0,
                sha256=form.sha256 or "",
                version=1,
                review_status="submitted",
                content_type=form.content_type or "application/octet-stream",
                open=_opener(form),
                file_id=form.file_id,
            )
        )
    return [Section(title, rows=rows)], documents


def _enablement_seller(journey: Journey, submitted_at: datetime):
    r = journey.enablement_request
    rows = []
    if r is not None:
        rows = [
            (english(_l("Seller ID")), r.seller_id),
            (english(_l("Shop name")), r.shop_name),
            (english(_l("Contact")), r.contact_name),
            (english(_l("Contact e-mail")), r.contact_email),
            (english(_l("Contact phone")), r.contact_phone),
        ]
    paragraphs = [r.reason] if r is not None and r.reason else []
    return (
        [
            Section(
                english(_l("Request to enable the seller account")),
                rows=rows,
                paragraphs=paragraphs,
            )
        ],
        [],
        None,
        None,
    )


def _enablement_isv(journey: Journey, submitted_at: datetime):
    r = journey.enablement_request
    rows = []
    if r is not None:
        rows = [
            (english(_l("Company name")), r.company_name),
            (english(_l("Registration number")), r.registration_number),
            (english(_l("Company address")), r.company_address),
            (english(_l("Authorized signatory")), r.signatory_name),
            (english(_l("Contact")), r.contact_name),
            (english(_l("Contact e-mail")), r.contact_email),
            (english(_l("Contact phone")), r.contact_phone),
        ]
    return [Section(english(_l("Company")), rows=rows)], current_documents(journey), None, None


def current_documents(journey: Journey) -> list[DocumentEntry]:
    versions = db.session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.journey_id == journey.id)
        .order_by(DocumentVersion.kind, DocumentVersion.version)
    ).all()
    latest: dict = {}
    for version in versions:
        latest[version.kind] = version
    return [
        DocumentEntry(
            kind_label=f"{kind.value}. {english(DOCUMENT_TITLES[kind])}",
            filename=v.filename,
            size=v.size,
            sha256=v.sha256,
            version=v.version,
            review_status=v.review_status.value,
            content_type=v.content_type,
            open=_opener(v),
            file_id=v.file_id,
        )
        for kind, v in sorted(latest.items(), key=lambda item: item[0].value)
    ]


def _api_access(journey: Journey, submitted_at: datetime):
    app = journey.app
    if app is None:
        return (
            [Section(english(_l("APP")), paragraphs=[values.NO_APP])],
            [],
            None,
            None,
        )
    app_rows = [
        (english(_l("APP key")), app.app_key),
        (english(_l("Name")), app.name),
        (
            english(_l("New or existing")),
            values.NEW_APP if app.is_new else values.EXISTING_APP,
        ),
        (
            english(_l("Serves")),
            values.OWN_SHOP if app.audience.value == "own_shop" else values.OTHER_SELLERS_ISV,
        ),
    ]
    apis = Table(
        [
            english(_l("API")),
            english(_l("Customer information (§3.5)")),
            english(_l("Reason")),
            english(_l("Decision")),
        ],
        [[r.method, _customer_info(r), r.reason, r.decision.value] for r in app.api_requests],
    )
    return (
        [
            Section(
                english(_l("APP")),
                rows=app_rows,
                paragraphs=[app.description] if app.description else [],
            ),
            Section(english(_l("APIs requested")), table=apis),
        ],
        [],
        None,
        None,
    )


def _customer_info(request) -> str:
    from workflow.apps.catalogue import customer_info_source

    return {
        "catalogue": values.IN_CATALOGUE,
        "reviewer": values.MARKED,
    }.get(customer_info_source(request), values.NO)


def _stage_forms(*kinds: FormKind):
    """The packet content of a submission made of stage forms, each in its own section."""

    def content(journey: Journey, submitted_at: datetime):
        sections, documents = [], []
        for kind in kinds:
            s, d = _form_section(kind, latest_form(journey, kind))
            sections += s
            documents += d
        return sections, documents, None, None

    return content


def _seller_list(kind: SellerListKind):
    def content(journey: Journey, submitted_at: datetime):
        from workflow.distribution.operations import ids_of

        lists = db.session.scalars(
            select(SellerList)
            .where(
                SellerList.journey_id == journey.id,
                SellerList.kind == kind,
                SellerList.created_at <= submitted_at,
            )
            .order_by(SellerList.id.desc())
        ).all()
        if not lists:
            return (
                [Section(english(_l("Seller IDs")), paragraphs=[values.NO_LIST])],
                [],
                [],
                None,
            )
        submitted, earlier = lists[0], lists[1:]
        proposed = ids_of(submitted)
        diff = None
        # The list in force when this was submitted: the newest approved one before it.
        in_force = next((sl for sl in earlier if sl.status is ReviewStatus.accepted), None)
        if kind is SellerListKind.authorization and in_force is not None:
            old, new = set(ids_of(in_force)), set(proposed)
            diff = SellerDiff(added=sorted(new - old), removed=sorted(old - new))
        rows = [
            (english(_l("Seller IDs")), str(len(proposed))),
            (english(_l("List SHA-256")), submitted.sha256),
        ]
        return (
            [Section(english(_l("Seller ID list")), rows=rows), *_configuration(journey)],
            [],
            proposed,
            diff,
        )

    return content


def _configuration(journey: Journey) -> list[Section]:
    """Whom the APP serves and its configuration before distribution (§3.4), as they stand."""
    from workflow.distribution.configs import CONFIGS

    app = journey.app
    if app is None:
        return []
    console = app.console_configured_at
    rows = [
        (
            english(_l("Serves")),
            values.OWN_SHOP if app.audience.value == "own_shop" else values.OTHER_SELLERS,
        ),
        (
            english(_l("TOP console")),
            values.CONFIRMED_AT % {"at": f"{console:%Y-%m-%d %H:%M}"}
            if console
            else values.NOT_CONFIRMED,
        ),
    ]
    for config in CONFIGS.values():
        if not config.required(app):
            rows.append((english(config.label), values.NOT_REQUIRED))
            continue
        confirmed = config.confirmed_at(app)
        rows.append((english(config.required_label), config.details(app)))
        rows.append(
            (
                english(config.confirmed_label),
                f"{confirmed:%Y-%m-%d %H:%M} UTC: {config.confirmation(app)}"
                if confirmed
                else values.NOT_CONFIRMED,
            )
        )
    return [Section(english(_l("Configuration before distribution")), rows=rows)]


_CONTENT = {
    "enablement_seller": _enablement_seller,
    "enablement_isv": _enablement_isv,
    "api_access": _api_access,
    "mrd_prd": _stage_forms(FormKind.mrd, FormKind.prd),
    "cloud_plan": _stage_forms(FormKind.cloud_plan),
    "cloud_verification": _stage_forms(
        FormKind.cloud_order, FormKind.cloud_environment, FormKind.deployment_confirmation
    ),
    "exemption": _stage_forms(FormKind.exemption),
    "authorization": _seller_list(SellerListKind.authorization),
    "distribution": _seller_list(SellerListKind.distribution),
}
