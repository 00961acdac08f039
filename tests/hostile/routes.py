"""One row per way of calling a route: its arguments, fields, files and query parameters, with
values that would work, so a case can replace exactly one of them with a hostile value.

A route in ``app.url_map`` without a row fails ``test_every_route_has_a_row``. To cover a new
route, add a ``Route`` here: the corpus then sends it every payload, as every role.

Values: ``"@name"`` is read from the acting account's seeded ids (``world.STAGES`` and
``build_world``); ``"@unique"`` becomes a fresh word per request (new e-mails, new IDs); a
``"{name}"`` inside a value is formatted from the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support import PASSWORD
from workflow.deployment.specs import SPECS
from workflow.models import FormKind

API = "taobao.trades.sold.get"
APPLICANTS = ("seller", "isv")
STAFF = ("reviewer", "admin")
EVERYONE = ("anonymous", "seller", "isv", "reviewer", "admin")


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    #: Values of the URL rule's arguments (``journey_id``, ``kind``…).
    args: dict[str, str] = field(default_factory=dict)
    #: Form fields with a working value.
    fields: dict[str, str] = field(default_factory=dict)
    #: File fields with the sample each sends: ``pdf``, ``png``, ``report`` or ``csv``.
    files: dict[str, str] = field(default_factory=dict)
    #: Query parameters with a working value.
    query: dict[str, str] = field(default_factory=dict)
    #: The roles for whom the route does its work; hostile fields are sent as them.
    actors: tuple[str, ...] = APPLICANTS
    #: Whose data anyone other than an applicant acts on.
    on: str = "isv"
    #: Distinguishes rows of the same route in case ids.
    label: str = ""

    @property
    def name(self) -> str:
        return f"{self.endpoint}.{self.method}" + (f".{self.label}" if self.label else "")


def _stage_form(kind: FormKind, journey: str, actors=APPLICANTS) -> Route:
    spec = SPECS[kind]
    values = {}
    for f in spec.fields:
        if f.type == "check":
            values[f.name] = "yes"
        elif f.type == "date":
            values[f.name] = "2026-01-05"
        elif f.name.endswith("email"):
            values[f.name] = "owner@example.com"
        else:
            values[f.name] = f"Written for the corpus: {f.name}"
    return Route(
        "deployment.save_form",
        "POST",
        {"journey_id": f"@{journey}", "kind": kind.value},
        values,
        actors=actors,
        label=kind.value,
    )


_CONTACT = {"contact_name": "Li Lei", "contact_email": "li@example.com", "contact_phone": "+86 1"}
_CHECKER = {
    "gateway": "default",
    "custom_url": "",
    "sign_method": "hmac-sha256",
    "app_secret": "not-a-real-secret",
    "session": "",
    "attach": "yes",
}

# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("static", "GET", {"filename": "css/app.css"}, actors=EVERYONE),
    Route("health.healthz", "GET", actors=EVERYONE),
    # --- signing in and out
    Route("auth.login", "GET", query={"next": "/journeys"}, actors=EVERYONE),
    Route("auth.login", "POST", fields={"email": "login@hostile.test", "password": PASSWORD},
          query={"next": "/journeys"}, actors=("anonymous",)),
    Route("auth.register", "GET", actors=EVERYONE),
    Route("auth.register", "POST", fields={
        "email": "@unique@example.com", "password": "a long enough password",
        "confirm": "a long enough password", "account_kind": "isv",
        "account_name": "Registered Ltd", "taobao_account_id": "tb_@unique"},
        actors=("anonymous",)),
    Route("auth.logout", "POST", actors=EVERYONE),
    Route("auth.choose_language", "POST", fields={"language": "zh_Hans_CN", "next": "/journeys"},
          actors=EVERYONE),
    # --- mailed links: confirming the address, resetting a password, accepting an invitation
    Route("auth.verify_email", "GET", query={"token": "@verify_token"}, actors=EVERYONE),
    Route("auth.verify_email", "POST", fields={"token": "@verify_token"}, actors=EVERYONE),
    Route("auth.resend_verification", "POST", actors=("unverified", *EVERYONE)),
    Route("auth.forgot_password", "GET", actors=EVERYONE),
    Route("auth.forgot_password", "POST", fields={"email": "reset@hostile.test"},
          actors=("anonymous",)),
    Route("auth.reset_password", "GET", query={"token": "@reset_token"}, actors=EVERYONE),
    Route("auth.reset_password", "POST", fields={
        "token": "@reset_token", "password": "a new long password",
        "confirm": "a new long password"}, actors=("anonymous",)),
    Route("auth.reset_password", "POST", fields={
        "token": "@spent_token", "password": "a new long password",
        "confirm": "a new long password"}, actors=("anonymous",), label="spent"),
    Route("auth.accept_invitation", "GET", query={"token": "@invitation_token"},
          actors=EVERYONE),
    Route("auth.accept_invitation", "POST", fields={
        "token": "@invitation_token", "name": "Invited reviewer",
        "password": "a new long password", "confirm": "a new long password"},
          actors=("anonymous",)),
    Route("auth.change_password", "GET", actors=EVERYONE),
    Route("auth.my_personal_data", "GET", actors=EVERYONE),
    Route("auth.change_password", "POST", fields={
        "current": PASSWORD, "password": "another long password",
        "confirm": "another long password"}, actors=EVERYONE),
    Route("notifications.settings", "GET", actors=EVERYONE),
    Route("notifications.settings", "POST", fields={"receipt": "y", "reminder": "y"},
          actors=EVERYONE),
    Route("auth.choose_time_zone", "POST", fields={"time_zone": "Europe/London"},
          actors=EVERYONE),
    Route("auth.choose_time_zone", "POST", fields={"time_zone": "Asia/Tokyo", "detected": "yes"},
          actors=EVERYONE, label="detected"),
    # --- journeys
    Route("tokens.tokens", "GET", actors=EVERYONE),
    Route("tokens.tokens", "POST", fields={"name": "Corpus script", "read": "y", "write": "y",
                                           "days": "30"}, actors=EVERYONE),
    Route("tokens.revoke", "POST", {"token_id": "1"}, {"confirm": "y"}, actors=EVERYONE),
    # The API takes tokens, never the session: the corpus's cookie-signed requests are
    # anonymous there and answer 401 problems (tests/api/ sends them with tokens).
    Route("api.openapi", "GET", actors=EVERYONE),
    Route("api.docs", "GET", actors=EVERYONE),
    Route("api.list_journeys", "GET", query={"cursor": "1", "limit": "20"}, actors=EVERYONE),
    Route("api.show_journey", "GET", {"journey_id": "@app"}, actors=EVERYONE),
    Route("api.fire_event", "POST", {"journey_id": "@fire", "event": "withdraw"},
          {"comment": "Not needed any more"}),
    Route("api.save_seller_list", "POST", {"journey_id": "@dist", "kind": "authorization"},
          {"text": "2001\n2002\n2003"}),
    Route("api.download_packet", "GET", {"journey_id": "@dist", "packet_id": "@packet"},
          actors=(*APPLICANTS, *STAFF)),
    Route("api.save_stage_form", "POST", {"journey_id": "@deploy", "kind": "mrd"},
          {f"values.{f.name}": f"Written for the corpus: {f.name}"
           for f in SPECS[FormKind.mrd].fields}),
    Route("api.decide_api", "POST", {"journey_id": "@api", "request_id": "@api_request"},
          {"decision": "grant", "reason": "Fine"}, actors=STAFF),
    Route("api.upload_document", "POST", {"journey_id": "@enable", "kind": "b"},
          files={"file": "pdf"}, actors=("isv",)),
    Route("api.upload_stage_document", "POST", {"journey_id": "@deploy", "kind": "prd"},
          files={"file": "pdf"}),
    Route("api.decide_document", "POST", {"journey_id": "@review", "document_id": "@document"},
          {"decision": "reject", "reason": "Blurred scan", "seen_status": "pending"},
          actors=STAFF),
    Route("api.register_app", "POST", {"journey_id": "@app"},
          {"app_key": "{app_key}", "name": "Hostile APP", "description": "Ships orders",
           "origin": "new", "audience": "own_shop"}),
    # Its body is a list, which the corpus's flat fields cannot spell: it sends none (a 422).
    Route("api.request_apis", "POST", {"journey_id": "@app"}),
    Route("api.list_packets", "GET", {"journey_id": "@dist"}, actors=(*APPLICANTS, *STAFF)),
    Route("api.queue", "GET", query={"cursor": "0_1", "limit": "20"}, actors=STAFF),
    Route("api.claim", "POST", {"journey_id": "@api"}, actors=STAFF),
    Route("api.save_seller_list_file", "POST", {"journey_id": "@dist", "kind": "authorization"},
          files={"file": "csv"}),
    # Authorised by an evidence token only: the corpus's requests carry none and get 401.
    Route("api.post_evidence", "POST", {"journey_id": "@sandbox", "kind": "sandbox"},
          {"format": "top-evidence/1"}),
    Route("journeys.home", "GET", actors=EVERYONE),
    Route("journeys.dashboard", "GET", actors=EVERYONE),
    Route("journeys.new_journey", "POST"),
    Route("journeys.show", "GET", {"journey_id": "@app"}, actors=EVERYONE),
    Route("journeys.diagram_svg", "GET", {"journey_id": "@app"}, actors=EVERYONE),
    Route("journeys.timeline", "GET", {"journey_id": "@app"}, actors=EVERYONE),
    Route("journeys.diagram_page", "GET", {"journey_id": "@app"}, actors=EVERYONE),
    Route("journeys.fire", "POST", {"journey_id": "@fire", "event": "withdraw"},
          {"version": "{fire_version}", "comment": "Not needed any more", "note": "",
           "confirm": "yes"}, label="withdraw"),
    Route("conversation.post", "POST", {"journey_id": "@meeting"},
          {"body": "Which region does the architecture review expect?", "stage": "4",
           "nonce": "corpus-@unique-form"}, actors=(*APPLICANTS, *STAFF)),
    Route("continuation.continue_rejected", "POST", {"journey_id": "@rejected"},
          {"carry": "app", "reason": "Start again with the same APP"},
          actors=(*APPLICANTS, "admin")),
    Route("journeys.fire", "POST", {"journey_id": "@api", "event": "request_changes"},
          {"version": "{api_version}", "comment": "Say more about the APIs.",
           "note": "Internal: asked twice"}, actors=STAFF, label="request_changes"),
    # --- the review queue
    Route("review.queue", "GET", query={
        "stage": "2", "waiting": "1", "assignee": "me", "page": "1", "per_page": "20"},
        actors=STAFF),
    Route("review.all_journeys", "GET", query={"q": "Hostile", "state": "app_draft", "page": "1"},
          actors=STAFF),
    Route("review.assign", "POST", {"journey_id": "@api"}, {"assignee": "me", "next": "/review/"},
          actors=STAFF),
    Route("review.queue_export", "GET", {"fmt": "csv"}, query={
        "stage": "2", "waiting": "1", "assignee": "me", "page": "1", "per_page": "20"},
        actors=STAFF),
    Route("review.search_export", "GET", {"fmt": "xlsx"},
          query={"q": "Hostile", "state": "app_draft", "page": "1"}, actors=STAFF),
    # --- reports
    Route("reports.index", "GET", actors=STAFF),
    Route("reports.export", "GET", {"table": "stage-times", "fmt": "csv"}, actors=STAFF),
    Route("reports.trail", "GET", {"journey_id": "@api"}, actors=STAFF),
    # --- stage 1
    Route("enablement.save_request", "POST", {"journey_id": "@enable"},
          {**_CONTACT, "seller_id": "2200123456", "shop_name": "Hostile shop",
           "reason": "Sync orders"}, actors=("seller",), on="seller", label="seller"),
    Route("enablement.save_request", "POST", {"journey_id": "@enable"},
          {**_CONTACT, "company_name": "Hostile Ltd", "registration_number": "91310000",
           "company_address": "1 Road, Hangzhou", "signatory_name": "Wang Fang"},
          actors=("isv",), label="isv"),
    Route("enablement.upload", "POST", {"journey_id": "@enable", "kind": "b"},
          files={"file": "pdf"}, actors=("isv",)),
    Route("enablement.document_file", "GET", {"document_id": "@document"},
          query={"download": ""}, actors=("isv", *STAFF)),
    Route("enablement.compare", "GET", {"document_id": "@document"}, actors=("isv", *STAFF)),
    Route("enablement.decide", "POST", {"document_id": "@document"},
          {"decision": "reject", "reason": "Blurred scan", "seen_status": "pending",
           "account_id_seen": "y"},
          actors=STAFF),
    Route("enablement.accept_passed", "POST", {"journey_id": "@review"},
          {"documents": "{document}"}, actors=STAFF),
    # --- stage 2 and the checker
    Route("apps.save_app", "POST", {"journey_id": "@app"},
          {"app_key": "{app_key}", "name": "Hostile APP", "description": "Ships orders",
           "origin": "new", "audience": "own_shop"}),
    Route("apps.save_apis", "POST", {"journey_id": "@app"},
          {"api": API, f"reason-{API}": "To ship orders",
           "other_apis": "taobao.item.seller.get — To list the seller's items"}),
    Route("apps.decide_api", "POST", {"journey_id": "@api", "request_id": "@api_request"},
          {"decision": "grant", "reason": "Fine"}, actors=STAFF),
    Route("apps.mark_customer_info", "POST",
          {"journey_id": "@api", "request_id": "@api_request"}, {"marked": "yes"},
          actors=STAFF),
    Route("apps.checker", "GET", {"journey_id": "@sandbox", "kind": "sandbox"}),
    Route("apps.checker", "POST", {"journey_id": "@sandbox", "kind": "sandbox"}, _CHECKER),
    Route("apps.upload_report", "POST", {"journey_id": "@sandbox", "kind": "sandbox"},
          files={"report": "report"}),
    Route("apps.evidence_token", "POST", {"journey_id": "@sandbox", "kind": "sandbox"}),
    Route("apps.checker_download", "GET", actors=EVERYONE),
    Route("apps.withdraw_evidence", "POST", {"journey_id": "@sandbox",
                                             "evidence_id": "@evidence"}),
    Route("apps.evidence_file", "GET", {"journey_id": "@sandbox", "evidence_id": "@evidence"},
          actors=(*APPLICANTS, *STAFF)),
    Route("apps.require_sandbox", "POST", {"journey_id": "@sandbox"},
          {"required": "yes", "reason": "It reads orders: prove it in the sandbox."},
          actors=STAFF),
    # --- stage 4
    _stage_form(FormKind.mrd, "deploy"),
    _stage_form(FormKind.prd, "deploy"),
    _stage_form(FormKind.meeting, "meeting", STAFF),
    _stage_form(FormKind.cloud_plan, "plan"),
    _stage_form(FormKind.cloud_order, "provision"),
    _stage_form(FormKind.cloud_environment, "provision", STAFF),
    _stage_form(FormKind.deployment_confirmation, "verify"),
    _stage_form(FormKind.exemption, "exempt"),
    Route("deployment.upload_document", "POST", {"journey_id": "@deploy", "kind": "prd"},
          files={"document": "pdf"}),
    Route("deployment.document", "GET", {"journey_id": "@deploy", "form_id": "@stage_form"},
          actors=(*APPLICANTS, *STAFF)),
    # --- stage 5
    Route("distribution.save_list", "POST", {"journey_id": "@dist", "kind": "authorization"},
          {"ids": "2001\n2002\n2003"}, label="typed"),
    Route("distribution.save_list", "POST", {"journey_id": "@distdraft", "kind": "distribution"},
          files={"file": "csv"}, label="file"),
    Route("distribution.set_required", "POST", {"journey_id": "@dist"},
          {"security": "yes", "security_details": "Allow-list the APP's IPs.",
           "cloud": "yes", "cloud_details": "Use the RDS instance."}, actors=STAFF),
    Route("distribution.confirm", "POST", {"journey_id": "@dist", "which": "security"},
          {"details": "Allow-listed the APP's IPs."}),
    Route("distribution.confirm", "POST", {"journey_id": "@dist", "which": "console"},
          label="console"),
    Route("distribution.change_audience", "POST", {"journey_id": "@dist"},
          {"audience": "other_sellers"}),
    # --- packets
    Route("packets.download", "GET", {"journey_id": "@dist", "packet_id": "@packet"},
          actors=(*APPLICANTS, *STAFF)),
    Route("packets.of_submission", "GET", {"journey_id": "@dist", "event_id": "@submission"},
          actors=(*APPLICANTS, *STAFF)),
    Route("packets.mail_copy", "POST", {"journey_id": "@dist", "packet_id": "@packet"},
          actors=(*APPLICANTS, *STAFF)),
    Route("packets.by_link", "GET", {"token": "@packet_token"}, actors=EVERYONE),
    # --- administration
    Route("admin.users", "GET", actors=("admin",)),
    Route("admin.users", "POST", fields={
        "email": "@unique@example.com", "name": "Invited by the corpus", "role": "reviewer",
        "taobao_account_id": ""}, actors=("admin",)),
    Route("admin.users", "POST", fields={
        "email": "@unique@example.com", "name": "Invited by the corpus", "role": "applicant",
        "taobao_account_id": "tb_hostile_isv"}, actors=("admin",), label="applicant"),
    Route("admin.access", "POST", {"user_id": "@spare_user", "state": "off"}, actors=("admin",)),
    Route("admin.send_password_reset", "POST", {"user_id": "@spare_user"}, actors=("admin",)),
    Route("admin.personal_data", "GET", {"user_id": "@spare_user"}, actors=("admin",)),
    Route("admin.erase", "POST", {"user_id": "@spare_user"}, actors=("admin",)),
    Route("admin.retention_rules", "GET", actors=("admin",)),
    Route("admin.retention_rules", "POST", fields={
        "documents": "3650", "evidence": "", "packets": "3650", "mail": "365"},
        actors=("admin",)),
    Route("admin.run_retention", "POST", actors=("admin",)),
    # --- webhooks
    Route("webhooks.account_endpoints", "GET"),
    Route("webhooks.account_endpoints", "POST", fields={
        "url": "https://hooks.example.com/in", "description": "Our ERP",
        "event_types": "journey.moved"}),
    Route("webhooks.desk_endpoints", "GET", actors=("admin",)),
    Route("webhooks.desk_endpoints", "POST", fields={
        "url": "https://tmall.example.com/in", "description": "Tmall Global",
        "event_types": "packet.ready"}, actors=("admin",)),
    Route("webhooks.endpoint", "GET", {"endpoint_id": "@webhook"}),
    Route("webhooks.endpoint", "GET", {"endpoint_id": "@desk_webhook"}, actors=("admin",),
          label="desk"),
    Route("webhooks.delete_endpoint", "POST", {"endpoint_id": "@webhook_spare"},
          fields={"confirm": "y"}),
    Route("webhooks.delete_endpoint", "POST", {"endpoint_id": "@desk_webhook_spare"},
          fields={"confirm": "y"}, actors=("admin",), label="desk"),
    Route("webhooks.switch_on", "POST", {"endpoint_id": "@webhook"}),
    Route("webhooks.switch_on", "POST", {"endpoint_id": "@desk_webhook"}, actors=("admin",),
          label="desk"),
    Route("webhooks.redeliver", "POST",
          {"endpoint_id": "@webhook", "delivery_id": "@webhook_delivery"},
          fields={"confirm": "y"}),
    Route("webhooks.redeliver", "POST",
          {"endpoint_id": "@desk_webhook", "delivery_id": "@desk_delivery"},
          fields={"confirm": "y"}, actors=("admin",), label="desk"),
)
# fmt: on
