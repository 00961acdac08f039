"""Every route, asked by every kind of user about both accounts' data, against a table written
by hand.

The expected answer of each cell is written out below, never read from ``workflow.policy``: a
test that asks the code what the code should do cannot fail. A new route fails this module
until it declares its action (or that it is public) and has a row in ``TABLE``.

Answers, one letter per actor in ``ACTORS`` order (anonymous, applicant of A, applicant of B,
A's colleague, reviewer, admin):

- ``Y`` allowed: not refused by access control. The answer is 2xx, a 302 that does not lead to
  the sign-in page, or a 400 from the form's own validation.
- ``F`` 403: the user can see the object, but their role may not do this.
- ``N`` 404: the user may not even see the object (another account's, or a staff page).
- ``L`` a 302 to the sign-in page that comes back afterwards (``?next=``), for anonymous users.
- ``U`` a 401 problem from the API (``/api/v1``) for a request without a token.

API rows are asked with each actor's personal token (read and write) and no cookie. There a
refusal of what was sent rather than of who sent it (409 a step not possible now, 412, 422,
428) also counts as ``Y``.

A refused cell (F, N, L) must also leave every table and the file store exactly as they were.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.seeding import (
    journey_with_app,
    seed_evidence,
    seed_packet,
    seed_snapshot,
    seed_webhook,
)
from tests.support import database_fingerprint
from workflow.api.tokens import create_token
from workflow.deployment.operations import save_stage_document
from workflow.deployment.specs import SPECS
from workflow.distribution.operations import save_seller_list
from workflow.enablement.operations import save_enablement_request, upload_document
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    Audience,
    DocumentKind,
    FormKind,
    Journey,
    Role,
    SellerListKind,
    User,
)
from workflow.models.base import utcnow
from workflow.operations import open_journey
from workflow.packets.operations import download_link
from workflow.web.access import declared_access

ACTORS = ("anonymous", "applicant_a", "applicant_b", "colleague_a", "reviewer", "admin")
OBJECTS = ("A", "B")
API = "taobao.trades.sold.get"


@dataclass(frozen=True)
class Row:
    """One request to one route: for routes with an object, asked about A's and B's."""

    endpoint: str
    method: str
    #: The URL, with ``{name}`` filled from the object's account (see ``World.ids``).
    url: str
    #: Six letters for A's object and six for B's; routes without an object have only ``on``.
    on_a: str = ""
    on_b: str = ""
    on: str = ""
    #: What is sent: a dict, or a function of the object's ids that makes one (fresh streams).
    data: dict | Callable[[dict], dict] = field(default_factory=dict)
    #: public | self (anyone signed in) | read | edit (applicant-owned data) | decide | admin
    #: | continue (the applicant's own, or an admin's on the applicant's behalf)
    #: | converse (both sides write: the account's applicants and Tmall Global staff)
    kind: str = "read"
    #: The payload really changes data when allowed: some allowed cell on each object must
    #: have written, so the refused cells' "wrote nothing" is not an empty claim.
    writes: bool = False
    #: Request headers, from the object's ids (the API's If-Match).
    headers: Callable[[dict], dict] | None = None

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/v1")

    @property
    def has_object(self) -> bool:
        return not self.on


def _pdf(name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(sample_pdf("Access matrix", name)), f"{name}.pdf"


def _report() -> tuple[io.BytesIO, str]:
    body = {"ok": True, "checks": [{"name": "dns", "ok": True, "latency_ms": 3}]}
    return io.BytesIO(json.dumps(body).encode()), "report.json"


_MRD = {f.name: f"Written for the matrix: {f.name}" for f in SPECS[FormKind.mrd].fields}

# fmt: off
TABLE: tuple[Row, ...] = (
    # --- public
    Row("static", "GET", "/static/css/app.css", on="YYYYYY", kind="public"),
    Row("auth.login", "GET", "/login", on="YYYYYY", kind="public"),
    Row("auth.login", "POST", "/login", on="YYYYYY", kind="public"),
    Row("auth.register", "GET", "/register", on="YYYYYY", kind="public"),
    Row("auth.register", "POST", "/register", on="YYYYYY", kind="public"),
    Row("auth.verify_email", "GET", "/account/verify?token=not-a-token", on="YYYYYY",
        kind="public"),
    Row("auth.verify_email", "POST", "/account/verify", on="YYYYYY", kind="public",
        data={"token": "not-a-token"}),
    Row("auth.forgot_password", "GET", "/password/forgot", on="YYYYYY", kind="public"),
    Row("auth.forgot_password", "POST", "/password/forgot", on="YYYYYY", kind="public",
        data={"email": "nobody@example.com"}),
    Row("auth.reset_password", "GET", "/password/reset?token=not-a-token", on="YYYYYY",
        kind="public"),
    Row("auth.reset_password", "POST", "/password/reset", on="YYYYYY", kind="public",
        data={"token": "not-a-token", "password": "long enough pw", "confirm": "long enough pw"}),
    Row("auth.accept_invitation", "GET", "/invitation?token=not-a-token", on="YYYYYY",
        kind="public"),
    Row("auth.accept_invitation", "POST", "/invitation", on="YYYYYY", kind="public",
        data={"token": "not-a-token", "password": "long enough pw", "confirm": "long enough pw"}),
    Row("packets.by_link", "GET", "/packets/link/{packet_token}",
        on_a="YYYYYY", on_b="YYYYYY", kind="public"),
    Row("health.healthz", "GET", "/healthz", on="YYYYYY", kind="public"),
    Row("auth.choose_language", "POST", "/language", on="YYYYYY", kind="public",
        data={"language": "zh_Hans_CN", "next": "/journeys"}),
    Row("api.openapi", "GET", "/api/v1/openapi.json", on="YYYYYY", kind="public"),
    Row("api.docs", "GET", "/api/v1/docs", on="YYYYYY", kind="public"),
    # --- anyone signed in
    Row("auth.logout", "POST", "/logout", on="LYYYYY", kind="self"),
    Row("auth.change_password", "GET", "/account/password", on="LYYYYY", kind="self"),
    Row("auth.change_password", "POST", "/account/password", on="LYYYYY", kind="self"),
    Row("auth.my_personal_data", "GET", "/account/personal-data.json", on="LYYYYY", kind="self"),
    Row("auth.resend_verification", "POST", "/account/verify/resend", on="LYYYYY", kind="self"),
    Row("notifications.settings", "GET", "/account/settings", on="LYYYYY", kind="self"),
    Row("notifications.settings", "POST", "/account/settings", on="LYYYYY", kind="self"),
    Row("auth.choose_time_zone", "POST", "/account/time-zone", on="LYYYYY", kind="self",
        data={"time_zone": "Europe/London"}),
    Row("journeys.home", "GET", "/", on="LYYYYY", kind="self"),
    Row("apps.checker_download", "GET", "/checker/top-checker.pyz", on="LYYYYY", kind="self"),
    Row("journeys.dashboard", "GET", "/journeys", on="LYYYYY", kind="self"),
    Row("tokens.tokens", "GET", "/account/api-tokens", on="LYYYYY", kind="self"),
    Row("tokens.tokens", "POST", "/account/api-tokens", on="LYYYYY", kind="self"),
    # A token is its owner's alone: the spare user's is no one else's to revoke.
    Row("tokens.revoke", "POST", "/account/api-tokens/{spare_token}/revoke",
        on_a="LNNNNN", on_b="LNNNNN", kind="self", data={"confirm": "y"}),
    Row("api.list_journeys", "GET", "/api/v1/journeys", on="UYYYYY", kind="self"),
    Row("api.show_journey", "GET", "/api/v1/journeys/{app}", on_a="UYNYYY", on_b="UNYNYY"),
    # --- reading a journey and what hangs off it
    Row("journeys.show", "GET", "/journeys/{app}", on_a="LYNYYY", on_b="LNYNYY"),
    Row("journeys.diagram_svg", "GET", "/journeys/{app}/diagram.svg",
        on_a="LYNYYY", on_b="LNYNYY"),
    Row("journeys.timeline", "GET", "/journeys/{app}/timeline", on_a="LYNYYY", on_b="LNYNYY"),
    Row("journeys.diagram_page", "GET", "/journeys/{app}/diagram", on_a="LYNYYY", on_b="LNYNYY"),
    Row("enablement.document_file", "GET", "/enablement/documents/{document}/file",
        on_a="LYNYYY", on_b="LNYNYY"),
    Row("enablement.compare", "GET", "/enablement/documents/{document}/compare",
        on_a="LYNYYY", on_b="LNYNYY"),
    Row("apps.evidence_file", "GET", "/journeys/{sandbox}/evidence/{evidence}/file",
        on_a="LYNYYY", on_b="LNYNYY"),
    Row("deployment.document", "GET", "/journeys/{deploy}/forms/file/{stage_form}",
        on_a="LYNYYY", on_b="LNYNYY"),
    Row("packets.download", "GET", "/journeys/{dist}/packets/{packet}.pdf",
        on_a="LYNYYY", on_b="LNYNYY"),
    # A packet still being rendered: 202 "being prepared" for those who may download it.
    Row("packets.of_submission", "GET", "/journeys/{dist}/packets/submission/{submission}",
        on_a="LYNYYY", on_b="LNYNYY"),
    Row("packets.mail_copy", "POST", "/journeys/{dist}/packets/{packet}/mail",
        on_a="LYNYYY", on_b="LNYNYY", writes=True),
    # --- a stage's conversation: both sides write, other accounts do not see it (404)
    Row("conversation.post", "POST", "/journeys/{meeting}/conversation",
        on_a="LYNYYY", on_b="LNYNYY", kind="converse", writes=True,
        data=lambda ids: {"body": "Which region does the architecture review expect?",
                          "stage": "4", "nonce": secrets.token_urlsafe(18)}),
    # --- the applicant's own data: staff are refused (403), other accounts do not see it (404)
    Row("journeys.new_journey", "POST", "/journeys/new", on="LYYYNN", kind="edit", writes=True),
    Row("continuation.continue_rejected", "POST", "/journeys/{rejected}/continue",
        on_a="LYNYFY", on_b="LNYNFY", kind="continue", writes=True,
        data={"carry": ["app"], "reason": "Started again for the matrix"}),
    Row("journeys.fire", "POST", "/journeys/{enable}/events/submit",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit",
        data=lambda ids: {"version": ids["enable_version"]}),
    Row("enablement.save_request", "POST", "/journeys/{enable}/enablement/request",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data={"company_name": "Rewritten Ltd", "contact_name": "Someone else"}),
    Row("enablement.upload", "POST", "/journeys/{enable}/enablement/documents/b",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data=lambda ids: {"file": _pdf("bank")}),
    Row("apps.save_app", "POST", "/journeys/{app}/app",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data={"app_key": "99999999", "name": "Rewritten", "description": "Not theirs",
              "origin": "new", "audience": "own_shop"}),
    Row("apps.save_apis", "POST", "/journeys/{app}/apis",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data={"api": API, f"reason-{API}": "A rewritten reason"}),
    Row("apps.checker", "GET", "/journeys/{sandbox}/check/sandbox",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit"),
    Row("apps.checker", "POST", "/journeys/{sandbox}/check/sandbox",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit"),
    Row("apps.upload_report", "POST", "/journeys/{sandbox}/check/sandbox/upload",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", data=lambda ids: {"report": _report()}),
    Row("apps.evidence_token", "POST", "/journeys/{sandbox}/check/sandbox/token",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True),
    Row("apps.withdraw_evidence", "POST", "/journeys/{sandbox}/evidence/{evidence}/withdraw",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True),
    # After every other row on the sandbox journey: it leaves sandbox verification (§3.2).
    Row("journeys.fire", "POST", "/journeys/{sandbox}/events/skip_sandbox",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data=lambda ids: {"version": ids["sandbox_version"], "confirm": "yes"}),
    Row("deployment.save_form", "POST", "/journeys/{deploy}/forms/mrd",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True, data=_MRD),
    Row("deployment.upload_document", "POST", "/journeys/{deploy}/forms/prd/document",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data=lambda ids: {"document": _pdf("prd")}),
    Row("distribution.save_list", "POST", "/journeys/{dist}/sellers/authorization",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True,
        data={"ids": "2001\n2002\n2003"}),
    Row("distribution.confirm", "POST", "/journeys/{dist}/configs/console/confirm",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", writes=True),
    # An ISV's APP serves other sellers: asking for its own shop is refused by the operation
    # (a 302 with the reason), so this row writes nothing even where it is allowed.
    Row("distribution.change_audience", "POST", "/journeys/{dist}/audience",
        on_a="LYNYFF", on_b="LNYNFF", kind="edit", data={"audience": "own_shop"}),
    # --- review decisions: applicants are refused (403), other accounts do not see it (404)
    Row("enablement.accept_passed", "POST",
        "/journeys/{review}/enablement/documents/accept-passed", on_a="LFNFYY", on_b="LNFNYY",
        kind="decide", writes=True, data=lambda ids: {"documents": str(ids["document"])}),
    Row("enablement.decide", "POST", "/enablement/documents/{document}/decision",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True,
        data={"decision": "reject", "reason": "Blurred"}),
    Row("apps.decide_api", "POST", "/journeys/{api}/apis/{api_request}/decision",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True, data={"decision": "grant"}),
    Row("apps.mark_customer_info", "POST", "/journeys/{api}/apis/{api_request}/customer-info",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True, data={"marked": "yes"}),
    Row("apps.require_sandbox", "POST", "/journeys/{sandbox}/sandbox/requirement",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True,
        data={"required": "yes", "reason": "It reads orders: prove it in the sandbox."}),
    Row("deployment.save_form", "POST", "/journeys/{meeting}/forms/meeting",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True,
        data={"held_on": "2026-01-05", "minutes": "Agreed."}),
    Row("review.assign", "POST", "/review/journeys/{api}/assign",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True, data={"assignee": "me"}),
    Row("journeys.fire", "POST", "/journeys/{api}/events/request_changes",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True,
        data=lambda ids: {"version": ids["api_version"], "comment": "Say more."}),
    Row("distribution.set_required", "POST", "/journeys/{dist}/configs/required",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide", writes=True,
        data={"security": "yes", "security_details": "Allow-list the APP's IPs.",
              "cloud": "yes", "cloud_details": "Use the RDS instance."}),
    Row("review.queue", "GET", "/review/", on="LNNNYY", kind="decide"),
    Row("review.all_journeys", "GET", "/review/journeys?q=Account", on="LNNNYY", kind="decide"),
    Row("review.queue_export", "GET", "/review/queue.csv", on="LNNNYY", kind="decide"),
    Row("review.search_export", "GET", "/review/journeys.xlsx?q=Account", on="LNNNYY",
        kind="decide"),
    Row("reports.index", "GET", "/reports/", on="LNNNYY", kind="decide"),
    Row("reports.export", "GET", "/reports/stage-times.xlsx", on="LNNNYY", kind="decide"),
    # The trail export holds the internal notes: staff only, even on the account's own journey.
    Row("reports.trail", "GET", "/reports/journeys/{app}/trail.jsonl",
        on_a="LFNFYY", on_b="LNFNYY", kind="decide"),
    # --- an event no one may fire does not exist
    Row("journeys.fire", "POST", "/journeys/{app}/events/no_such_event",
        on_a="LNNNNN", on_b="LNNNNN", data=lambda ids: {"version": 1}),
    # --- administration

    Row("admin.users", "GET", "/admin/users", on="LNNNNY", kind="admin"),
    Row("admin.users", "POST", "/admin/users", on="LNNNNY", kind="admin", writes=True,
        data={"email": "added@example.com", "role": "reviewer", "name": "Invited"}),
    Row("admin.send_password_reset", "POST", "/admin/users/{spare_user}/password-reset",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin", writes=True),
    Row("admin.access", "POST", "/admin/users/{spare_user}/access/off",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin", writes=True),
    Row("admin.retention_rules", "GET", "/admin/retention", on="LNNNNY", kind="admin"),
    Row("admin.retention_rules", "POST", "/admin/retention", on="LNNNNY", kind="admin",
        writes=True, data={"documents": "3650"}),
    Row("admin.personal_data", "GET", "/admin/users/{spare_user}/personal-data.json",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin"),
    Row("admin.erase", "POST", "/admin/users/{spare_user}/erase",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin", writes=True),
    # Nothing in the seeded world is past a period, so the run is allowed and deletes nothing.
    Row("admin.run_retention", "POST", "/admin/retention/run", on="LNNNNY", kind="admin"),
    # --- webhooks: an account's endpoints are its applicants'; the desk's own, admins'
    Row("webhooks.account_endpoints", "GET", "/account/webhooks", on="LYYYNN", kind="edit"),
    Row("webhooks.account_endpoints", "POST", "/account/webhooks", on="LYYYNN", kind="edit",
        writes=True, data={"url": "https://hooks.example.com/new", "event_types": "journey.moved"}),
    Row("webhooks.desk_endpoints", "GET", "/admin/webhooks", on="LNNNNY", kind="admin"),
    Row("webhooks.desk_endpoints", "POST", "/admin/webhooks", on="LNNNNY", kind="admin",
        writes=True, data={"url": "https://tmall.example.com/in", "event_types": "packet.ready"}),
    Row("webhooks.endpoint", "GET", "/webhooks/{webhook}",
        on_a="LYNYNN", on_b="LNYNNN", kind="edit"),
    Row("webhooks.endpoint", "GET", "/webhooks/{desk_webhook}",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin"),
    # Unconfirmed, so every allowed cell finds the endpoint still there (and deletes nothing).
    Row("webhooks.delete_endpoint", "POST", "/webhooks/{webhook}/delete",
        on_a="LYNYNN", on_b="LNYNNN", kind="edit"),
    Row("webhooks.redeliver", "POST", "/webhooks/{webhook}/deliveries/{webhook_delivery}/redeliver",
        on_a="LYNYNN", on_b="LNYNNN", kind="edit", writes=True, data={"confirm": "y"}),
    Row("webhooks.redeliver", "POST",
        "/webhooks/{desk_webhook}/deliveries/{desk_delivery}/redeliver",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin", writes=True, data={"confirm": "y"}),
    # The seeded endpoints are on: allowed, and refused by the operation, so nothing changes.
    Row("webhooks.switch_on", "POST", "/webhooks/{webhook}/on",
        on_a="LYNYNN", on_b="LNYNNN", kind="edit"),
    Row("webhooks.switch_on", "POST", "/webhooks/{desk_webhook}/on",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin"),
    # Last: the admin's confirmed delete removes the desk's endpoint the rows above use.
    Row("webhooks.delete_endpoint", "POST", "/webhooks/{desk_webhook}/delete",
        on_a="LNNNNY", on_b="LNNNNY", kind="admin", writes=True, data={"confirm": "y"}),
    # --- the API, last: its steps move journeys the rows above act on in their states
    Row("api.queue", "GET", "/api/v1/queue", on="UNNNYY", kind="decide"),
    Row("api.claim", "POST", "/api/v1/queue/{api}/claim",
        on_a="UFNFYY", on_b="UNFNYY", kind="decide", writes=True),
    # Uploads are multipart, as on the pages; the APP rows act before its journey is submitted.
    Row("api.upload_document", "POST", "/api/v1/journeys/{enable}/documents/b",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True,
        data=lambda ids: {"file": _pdf("bank")}),
    Row("api.upload_stage_document", "POST", "/api/v1/journeys/{deploy}/forms/prd/document",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True,
        data=lambda ids: {"file": _pdf("prd")}),
    Row("api.register_app", "POST", "/api/v1/journeys/{app}/app",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True,
        data=lambda ids: {"app_key": f"8{ids['app']:07d}", "name": "Renamed by the API",
                          "description": "Rewritten through the API"}),
    Row("api.request_apis", "POST", "/api/v1/journeys/{app}/apis",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True,
        data={"apis": [{"method": API, "reason": "A reason rewritten through the API"}]}),
    Row("api.list_packets", "GET", "/api/v1/journeys/{dist}/packets",
        on_a="UYNYYY", on_b="UNYNYY"),
    Row("api.fire_event", "POST", "/api/v1/journeys/{app}/events/submit",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True,
        headers=lambda ids: {"If-Match": f'"{ids["app_version"]}"'}),
    Row("api.fire_event", "POST", "/api/v1/journeys/{review}/events/request_changes",
        on_a="UFNFYY", on_b="UNFNYY", kind="decide", writes=True,
        data={"comment": "Say more."},
        headers=lambda ids: {"If-Match": f'"{ids["review_version"]}"'}),
    # The page's rows decided this document already: an allowed cell repeats that decision
    # (nothing to record) or is refused for the journey's state (422), so no write is promised.
    Row("api.decide_document", "POST", "/api/v1/journeys/{review}/documents/{document}/decision",
        on_a="UFNFYY", on_b="UNFNYY", kind="decide",
        data={"decision": "reject", "reason": "Blurred"},
        headers=lambda ids: {"If-Match": f'"{ids["review_version"]}"'}),
    Row("api.fire_event", "POST", "/api/v1/journeys/{app}/events/no_such_event",
        on_a="UNNNNN", on_b="UNNNNN"),
    Row("api.save_seller_list", "POST", "/api/v1/journeys/{dist}/sellers/authorization",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True, data={"text": "2001\n2002"}),
    Row("api.save_stage_form", "POST", "/api/v1/journeys/{deploy}/forms/mrd",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True, data={"values": _MRD}),
    Row("api.save_stage_form", "POST", "/api/v1/journeys/{meeting}/forms/meeting",
        on_a="UFNFYY", on_b="UNFNYY", kind="decide", writes=True,
        data={"values": {"held_on": "2026-01-05", "minutes": "Agreed."}}),
    # The rows above moved this journey on from "submitted": allowed cells get a 422.
    Row("api.decide_api", "POST", "/api/v1/journeys/{api}/apis/{api_request}/decision",
        on_a="UFNFYY", on_b="UNFNYY", kind="decide",
        data={"decision": "refuse", "reason": "Not for this APP."},
        headers=lambda ids: {"If-Match": f'"{ids["api_version"]}"'}),
    Row("api.download_packet", "GET", "/api/v1/journeys/{dist}/packets/{packet}.pdf",
        on_a="UYNYYY", on_b="UNYNYY"),
    Row("api.save_seller_list_file", "POST", "/api/v1/journeys/{dist}/sellers/authorization/file",
        on_a="UYNYFF", on_b="UNYNFF", kind="edit", writes=True,
        data=lambda ids: {"file": (io.BytesIO(b"seller_id\n2001\n2004\n"), "sellers.csv")}),
    # Evidence is posted with its evidence token alone (tests/api/test_evidence_api.py): the
    # applicants' personal tokens pass the gate and are then refused.
    Row("api.post_evidence", "POST", "/api/v1/journeys/{sandbox}/evidence/sandbox",
        on_a="UFNFFF", on_b="UNFNFF", kind="edit",
        data={"format": "top-evidence/1", "payload": {}, "signature": {}}),
)
# fmt: on


# --- the route inventory ---------------------------------------------------------------------


def _routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_declares_its_action_or_that_it_is_public(app):
    undeclared = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declared_access(app.view_functions[rule.endpoint]) is None
    )
    assert undeclared == [], "declare these with @requires_action(...) or @public(...)"


def test_every_route_and_method_has_a_row_in_the_table(app):
    in_table = {(row.endpoint, row.method) for row in TABLE}
    assert sorted(_routes(app) - in_table) == [], "add a row to TABLE for these routes"
    assert sorted(in_table - _routes(app)) == [], "these rows name no route"


def test_public_routes_are_exactly_the_ones_the_table_calls_public(app):
    public = {r.endpoint for r in app.url_map.iter_rules()}
    public = {e for e in public if declared_access(app.view_functions[e]).is_public}
    assert public == {row.endpoint for row in TABLE if row.kind == "public"}


def test_the_table_keeps_the_desks_rules():
    """Read against the hand-written table itself: no staff cell allowed on applicant data, no
    applicant cell allowed on a decision, no applicant reading another account's data."""
    staff, applicants_of_a, applicant_of_b = (4, 5), (1, 3), (2,)
    for row in TABLE:
        cells = [row.on] if not row.has_object else [row.on_a, row.on_b]
        assert all(len(c) == len(ACTORS) and set(c) <= set("YFNLU") for c in cells), row
        if row.kind != "public":
            assert all(c[0] == ("U" if row.is_api else "L") for c in cells), row
        if row.kind == "edit":
            assert all(c[i] != "Y" for c in cells for i in staff), row
        if row.kind in ("decide", "admin"):
            assert all(c[i] != "Y" for c in cells for i in (1, 2, 3)), row
        if row.has_object and row.kind != "public":
            assert all(row.on_a[i] == "N" for i in applicant_of_b), row
            assert all(row.on_b[i] == "N" for i in applicants_of_a), row


# --- the world the matrix asks about ---------------------------------------------------------


@dataclass
class Account:
    """One developer account's people and journeys, each in a state where its routes act."""

    applicant: User
    colleague: User | None
    spare: User
    ids: dict[str, object]


def _build_account(make_account, make_user, label: str, with_colleague: bool) -> Account:
    account = make_account(AccountKind.isv, name=f"Account {label}")
    applicant = make_user(Role.applicant, account)
    colleague = make_user(Role.applicant, account) if with_colleague else None
    spare = make_user(Role.applicant, account)
    enable = open_journey(account, applicant)
    save_enablement_request(enable, applicant, {"company_name": f"Company {label}"})
    review = open_journey(account, applicant)
    pdf = io.BytesIO(sample_pdf("Certificate", f"Company {label}"))
    document = upload_document(
        review, applicant, DocumentKind.certificate_of_incorporation, pdf, "a.pdf"
    )
    review.state = "enablement_submitted"
    account.enabled_at = utcnow()
    journeys = {"enable": enable, "review": review}
    for name, state in [
        ("app", "app_draft"),
        ("api", "api_access_submitted"),
        ("sandbox", "sandbox_verification"),
        ("deploy", "mrd_prd_draft"),
        ("meeting", "confabulation"),
        ("dist", "distribution_setup"),
        ("rejected", "rejected"),
    ]:
        key = f"{'1' if label == 'A' else '2'}{len(journeys):07d}"
        # An ISV's APP at distribution serves other sellers (guide §3.4.1 b).
        audience = Audience.other_sellers if name == "dist" else Audience.own_shop
        journeys[name] = journey_with_app(
            account,
            applicant,
            state,
            app_key=key,
            name=f"APP {name} of {label}",
            audience=audience,
        )
    db.session.flush()
    evidence = seed_evidence(journeys["sandbox"], applicant)
    stage_form = save_stage_document(journeys["deploy"], FormKind.mrd, applicant, *_pdf("mrd"))
    save_seller_list(journeys["dist"], SellerListKind.authorization, applicant, [1001, 1002])
    spare_token, _ = create_token(spare, "matrix", ["read", "write"], 30)
    packet = seed_packet(journeys["dist"], f"MATRIX-{journeys['dist'].id}")
    snapshot = seed_snapshot(journeys["dist"], f"MATRIX-PENDING-{journeys['dist'].id}")
    ids = {name: journey.id for name, journey in journeys.items()}
    webhook, webhook_delivery = seed_webhook(account.id, label)
    desk_webhook, desk_delivery = seed_webhook(None, f"desk-{label}")
    ids.update(
        webhook=webhook,
        webhook_delivery=webhook_delivery,
        desk_webhook=desk_webhook,
        desk_delivery=desk_delivery,
        document=document.id,
        evidence=evidence.id,
        stage_form=stage_form.id,
        packet=packet.id,
        submission=snapshot.event_id,
        packet_token=urlsplit(download_link(packet)).path.rsplit("/", 1)[1],
        api_request=journeys["api"].app.api_requests[0].id,
        spare_user=spare.id,
        spare_token=spare_token.id,
    )
    return Account(applicant, colleague, spare, ids)


@pytest.fixture
def world(make_account, make_user):
    a = _build_account(make_account, make_user, "A", with_colleague=True)
    b = _build_account(make_account, make_user, "B", with_colleague=False)
    people = {
        "anonymous": None,
        "applicant_a": a.applicant,
        "applicant_b": b.applicant,
        "colleague_a": a.colleague,
        "reviewer": make_user(Role.reviewer),
        "admin": make_user(Role.admin),
    }
    tokens = {}
    for name, user in people.items():
        if user is not None:
            row, tokens[name] = create_token(user, "matrix", ["read", "write"], 30)
            # Used "later" than the matrix runs: asking records no last use, which would
            # otherwise show as a write on refused cells.
            row.last_used_at = utcnow() + timedelta(days=1)
    db.session.commit()
    TOKENS.clear()
    TOKENS.update({people[name].id: token for name, token in tokens.items()})
    return {"A": a, "B": b}, people


#: Each actor's API token in the world being asked, by user id.
TOKENS: dict[int, str] = {}


# --- driving it ------------------------------------------------------------------------------


def _answer(response, *, api: bool = False) -> str:
    if api:
        assert response.mimetype in (
            "application/json",
            "application/problem+json",
            "text/html",
            "application/pdf",
        )
        if response.status_code in (409, 412, 422, 428):
            return "Y"  # refused for what was sent, not for who sent it
        if response.status_code == 401:
            return "U"
    if response.status_code == 302:
        target = urlsplit(response.headers["Location"])
        # The gate sends anonymous users to sign in and back (``next``); signing out is not that.
        return "L" if target.path == "/login" and "next=" in target.query else "Y"
    if 200 <= response.status_code < 300 or response.status_code == 400:
        return "Y"
    return {403: "F", 404: "N"}.get(response.status_code, str(response.status_code))


def _ask(app, user: User | None, row: Row, ids: dict) -> str:
    client = app.test_client()
    if user is not None and not row.is_api:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
    current = dict(ids)
    for name in ("enable", "api", "sandbox", "app", "review"):
        if name in ids:
            current[f"{name}_version"] = db.session.get(Journey, ids[name]).version_id
    data = row.data(current) if callable(row.data) else dict(row.data)
    url = row.url.format(**current)
    headers = row.headers(current) if row.headers else {}
    if row.is_api:
        if user is not None:
            headers["Authorization"] = f"Bearer {TOKENS[user.id]}"
        if _content_type(data):  # an upload
            response = client.open(
                url, method=row.method, data=data, content_type=_content_type(data),
                headers=headers,
            )  # fmt: skip
        else:
            response = client.open(url, method=row.method, json=data or None, headers=headers)
    else:
        response = client.open(
            url, method=row.method, data=data, content_type=_content_type(data), headers=headers
        )
    db.session.rollback()
    return _answer(response, api=row.is_api)


def _content_type(data: dict) -> str | None:
    has_file = any(isinstance(v, tuple) for v in data.values())
    return "multipart/form-data" if has_file else None


def _cells():
    for row in TABLE:
        if row.has_object:
            for obj, expected in zip(OBJECTS, (row.on_a, row.on_b), strict=True):
                yield row, obj, expected
        else:
            yield row, None, row.on


def test_the_fingerprint_sees_a_changed_row(world):
    accounts, _ = world
    before = database_fingerprint()
    db.session.get(Journey, accounts["A"].ids["app"]).app.name = "Changed"
    db.session.commit()
    assert database_fingerprint() != before


def test_access_matrix(app, world, capsys):
    accounts, people = world
    wrong, refused_but_wrote, never_wrote, asked = [], [], [], 0
    for row, obj, expected in _cells():
        ids = accounts[obj].ids if obj else {}
        wrote = False
        for actor, want in zip(ACTORS, expected, strict=True):
            before = database_fingerprint()
            got = _ask(app, people[actor], row, ids)
            asked += 1
            changed = database_fingerprint() != before
            cell = f"{row.method} {row.url} [{row.endpoint}] on {obj or '-'} as {actor}"
            if got != want:
                wrong.append(f"{cell}: expected {want}, got {got}")
            if want != "Y" and changed:
                refused_but_wrote.append(cell)
            wrote = wrote or (want == "Y" and changed)
        if row.writes and not wrote:
            never_wrote.append(f"{row.method} {row.url} [{row.endpoint}] on {obj or '-'}")
    routes = len({(row.endpoint, row.method) for row in TABLE})
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(TABLE)} requests over {routes} routes x {len(ACTORS)} "
            f"actors x objects of A and B = {asked} cells"
        )
    assert wrong == [], "\n".join(wrong)
    assert refused_but_wrote == [], "refused, yet data changed:\n" + "\n".join(refused_but_wrote)
    assert never_wrote == [], "allowed, yet nothing changed:\n" + "\n".join(never_wrote)


def test_the_upload_script_gets_refusals_as_json(app, world):
    accounts, people = world
    url = f"/journeys/{accounts['A'].ids['enable']}/enablement/documents/b"
    before = database_fingerprint()
    for user, status in [(None, 401), (people["reviewer"], 403), (people["applicant_b"], 404)]:
        client = app.test_client()
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
        response = client.post(
            url,
            data={"file": _pdf("bank")},
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == status
        assert response.get_json()["ok"] is False and response.get_json()["message"]
    assert database_fingerprint() == before
