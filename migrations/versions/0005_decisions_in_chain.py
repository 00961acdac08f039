"""decisions in the chain

Events get a decision payload and a hash version (existing rows stay version 1, hashed exactly
as before). Evidence can be withdrawn. Decisions made before this revision (document and API
decisions, seller lists in force, assignees, required and confirmed configurations, evidence
attached) are appended to the chain as events recorded by the migration itself: no actor, and
``"backfilled": true`` in the payload, so that ``flask audit verify`` can replay old data.

The field lists and the version-2 hash are frozen copies of ``workflow.replay.TRACKED`` and
``workflow.audit`` as they stand at this revision; a migration does not import app code.

Revision ID: 0005
Revises: 0004
"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
#: Documents are stored by name; the trail calls them by their letter.
_LETTERS = {
    "certificate_of_incorporation": "a", "bank_account_proof": "b", "representative_id": "c",
    "service_agreement": "d", "signatory_id": "e", "authorization_letter": "f",
}  # fmt: skip

_journeys = sa.table(
    "journeys", sa.column("id", sa.Integer), sa.column("state", sa.String),
    sa.column("assignee_id", sa.Integer),
)
_events = sa.table(
    "events", sa.column("id", sa.Integer), sa.column("journey_id", sa.Integer),
    sa.column("actor_id", sa.Integer), sa.column("event", sa.String),
    sa.column("from_state", sa.String), sa.column("to_state", sa.String),
    sa.column("comment", sa.Text), sa.column("note", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("packet_sha256", sa.String),
    sa.column("payload", sa.Text), sa.column("hash_version", sa.Integer),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)
_chain_head = sa.table(
    "chain_head", sa.column("id", sa.Integer), sa.column("last_event_id", sa.Integer),
    sa.column("last_hash", sa.String),
)
_documents = sa.table(
    "document_versions", sa.column("id", sa.Integer), sa.column("journey_id", sa.Integer),
    sa.column("kind", sa.String), sa.column("version", sa.Integer),
    sa.column("review_status", sa.String), sa.column("review_reason", sa.Text),
)
_apps = sa.table(
    "apps", sa.column("id", sa.Integer), sa.column("journey_id", sa.Integer),
    sa.column("is_security_config_required", sa.Boolean),
    sa.column("is_cloud_config_required", sa.Boolean),
    sa.column("security_config_confirmed_at", sa.DateTime(timezone=True)),
    sa.column("cloud_config_confirmed_at", sa.DateTime(timezone=True)),
)
_api_requests = sa.table(
    "api_requests", sa.column("id", sa.Integer), sa.column("app_id", sa.Integer),
    sa.column("method", sa.String), sa.column("decision", sa.String),
    sa.column("decision_reason", sa.Text),
)
_seller_lists = sa.table(
    "seller_lists", sa.column("id", sa.Integer), sa.column("journey_id", sa.Integer),
    sa.column("kind", sa.String), sa.column("sha256", sa.String), sa.column("count", sa.Integer),
    sa.column("status", sa.String), sa.column("is_in_force", sa.Boolean),
)
_evidence = sa.table(
    "evidence", sa.column("id", sa.Integer), sa.column("journey_id", sa.Integer),
    sa.column("kind", sa.String), sa.column("source", sa.String),
    sa.column("is_passing", sa.Boolean), sa.column("sha256", sa.String),
    sa.column("report", sa.JSON),
)  # fmt: skip


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column('hash_version', sa.Integer(), server_default='1', nullable=False)
        )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True)
        )
    _Backfill(op.get_bind()).run()


def downgrade():
    bind = op.get_bind()
    newer = bind.scalar(
        sa.select(sa.func.count()).select_from(_events).where(_events.c.hash_version != 1)
    )
    if newer:
        # Without their payload these events can no longer be verified; restore a backup.
        raise RuntimeError(
            f"{newer} events use hash version 2; dropping their payload would break the chain."
        )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('hash_version')
        batch_op.drop_column('payload')


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _plain(value):
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def _values(row, *names: str) -> dict:
    return {name: _plain(getattr(row, name)) for name in names}


class _Backfill:
    """Appends one event per decision found in the rows, chained after the newest event."""

    def __init__(self, bind):
        self.bind = bind
        self.at = datetime.now(UTC)
        self.states = {}

    def run(self) -> None:
        head = self.bind.execute(sa.select(_chain_head).where(_chain_head.c.id == 1)).first()
        if head is None:
            last = self.bind.execute(
                sa.select(_events.c.id, _events.c.hash).order_by(_events.c.id.desc()).limit(1)
            ).first()
            self.bind.execute(
                _chain_head.insert().values(
                    id=1, last_event_id=last.id if last else None,
                    last_hash=last.hash if last else GENESIS_HASH,
                )
            )  # fmt: skip
            head = self.bind.execute(sa.select(_chain_head).where(_chain_head.c.id == 1)).first()
        self.last_hash = head.last_hash
        self.last_id = head.last_event_id
        journeys = self.bind.execute(sa.select(_journeys).order_by(_journeys.c.id)).all()
        for journey in journeys:
            self._journey(journey)
        self.bind.execute(
            _chain_head.update()
            .where(_chain_head.c.id == 1)
            .values(last_hash=self.last_hash, last_event_id=self.last_id)
        )

    def _journey(self, journey) -> None:
        # The state the chain says, not the row's: a state edited before the upgrade must stay
        # visible to replay.
        state = self.bind.scalar(
            sa.select(_events.c.to_state)
            .where(_events.c.journey_id == journey.id)
            .order_by(_events.c.id.desc())
            .limit(1)
        )
        state = state if state is not None else journey.state
        if journey.assignee_id is not None:
            row = ("journeys", journey.id, {"assignee_id": journey.assignee_id})
            self._append(journey.id, state, "journey.assigned", [row], {"claimed": False})
        self._documents(journey.id, state)
        self._apps(journey.id, state)
        self._seller_lists(journey.id, state)
        self._evidence(journey.id, state)

    def _documents(self, journey_id: int, state: str) -> None:
        rows = self.bind.execute(
            sa.select(_documents)
            .where(_documents.c.journey_id == journey_id, _documents.c.review_status != "pending")
            .order_by(_documents.c.id)
        )
        for doc in rows:
            values = _values(doc, "journey_id", "review_status", "review_reason")
            about = {"document": _LETTERS.get(doc.kind, doc.kind), "version": doc.version}
            self._append(journey_id, state, "document.decided",
                         [("document_versions", doc.id, values)], about)  # fmt: skip

    def _apps(self, journey_id: int, state: str) -> None:
        app = self.bind.execute(sa.select(_apps).where(_apps.c.journey_id == journey_id)).first()
        if app is None:
            return
        requests = self.bind.execute(
            sa.select(_api_requests)
            .where(_api_requests.c.app_id == app.id, _api_requests.c.decision != "pending")
            .order_by(_api_requests.c.id)
        )
        for request in requests:
            values = _values(request, "app_id", "method", "decision", "decision_reason")
            self._append(journey_id, state, "api.decided",
                         [("api_requests", request.id, values)], {"api": request.method})  # fmt: skip
        values = _values(
            app, "journey_id", "is_security_config_required", "is_cloud_config_required",
            "security_config_confirmed_at", "cloud_config_confirmed_at",
        )  # fmt: skip
        row = [("apps", app.id, values)]
        if app.is_security_config_required or app.is_cloud_config_required:
            self._append(journey_id, state, "config.required", row, {})
        for which in ("security", "cloud"):
            if getattr(app, f"{which}_config_confirmed_at") is not None:
                self._append(journey_id, state, "config.confirmed", row, {"config": which})

    def _seller_lists(self, journey_id: int, state: str) -> None:
        lists = self.bind.execute(
            sa.select(_seller_lists)
            .where(
                _seller_lists.c.journey_id == journey_id,
                sa.or_(_seller_lists.c.status != "pending", _seller_lists.c.is_in_force),
            )
            .order_by(_seller_lists.c.is_in_force, _seller_lists.c.id)
        ).all()
        for seller_list in lists:
            values = _values(seller_list, "journey_id", "kind", "sha256", "status", "is_in_force")
            about = {"list": seller_list.kind, "count": seller_list.count}
            self._append(journey_id, state, "seller_list.in_force",
                         [("seller_lists", seller_list.id, values)], about)  # fmt: skip

    def _evidence(self, journey_id: int, state: str) -> None:
        rows = self.bind.execute(
            sa.select(_evidence).where(_evidence.c.journey_id == journey_id).order_by(_evidence.c.id)
        )
        for evidence in rows:
            values = _values(evidence, "journey_id", "kind", "source", "is_passing", "sha256")
            values["withdrawn_at"] = None
            values["report_sha256"] = hashlib.sha256(
                _canonical(evidence.report or {}).encode()
            ).hexdigest()
            about = {"evidence": evidence.kind, "passing": bool(evidence.is_passing)}
            self._append(journey_id, state, "evidence.attached",
                         [("evidence", evidence.id, values)], about)  # fmt: skip

    def _append(self, journey_id: int, state: str, kind: str, rows, about: dict) -> None:
        payload = {
            "rows": [{"table": t, "id": i, "values": v} for t, i, v in rows],
            "backfilled": True,
        }
        if about:
            payload["about"] = about
        payload_text = _canonical(payload)
        fields = {
            "journey_id": journey_id, "actor_id": None, "event": kind, "from": state,
            "to": state, "comment": "", "note": "",
            "at": self.at.isoformat(timespec="microseconds"), "packet": None,
            "hash_version": 2, "payload": payload_text,
        }  # fmt: skip
        digest = hashlib.sha256((self.last_hash + _canonical(fields)).encode()).hexdigest()
        result = self.bind.execute(
            _events.insert().values(
                journey_id=journey_id, actor_id=None, event=kind, from_state=state,
                to_state=state, comment="", note="", created_at=self.at, packet_sha256=None,
                payload=payload_text, hash_version=2, prev_hash=self.last_hash, hash=digest,
            ).returning(_events.c.id)
        )  # fmt: skip
        self.last_hash, self.last_id = digest, result.scalar_one()
