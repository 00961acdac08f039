"""Who may do what: the one answer to every access question in the desk.

``may(user, action, target)`` answers; ``authorize(user, action, target)`` raises the one domain
error for each refusal:

- :class:`NotFound` (404) when the user may not even see the target: another account's journey,
  document, packet or evidence, a staff page for an applicant, the user directory for anyone but
  an admin. From outside, "not yours" and "not there" look the same.
- :class:`NotPermitted` (403) when the user can see the target but their role may not act on it:
  a reviewer editing the applicant's APP, an applicant deciding a document.
- :class:`EmailNotVerified` (403, a kind of ``NotPermitted``) when the user may do it but has
  not confirmed their e-mail address yet (``UNVERIFIED_MAY`` lists what they may do before).

Routes declare their action (:mod:`workflow.web.access`) and the access gate asks here before
the view runs; every operation asks again before it changes anything, so a CLI command or a
future API gets the same answers.

The rules, in words: applicants see only their own account's data (colleagues in one account
share it) and are the only ones who write it; reviewers and admins see every journey and make the
review decisions (among them which configurations an APP must make), but never write
applicant-owned data; both sides write on a stage's conversation (a message is neither); only
admins administer users. An account's webhook endpoints are its applicants' alone (staff do not
see them); the desk's own endpoints, for Tmall Global's systems, are the admins'.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel.speaklater import LazyString

from workflow.errors import EmailNotVerified, NotFound, NotPermitted
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    Account,
    ApiRequest,
    DecisionKind,
    Journey,
    Role,
    User,
    WebhookEndpoint,
)
from workflow.models.accounts import PEOPLE_ROLES


class Action(enum.StrEnum):
    """Everything a user can ask the desk to do; each route and operation names one."""

    # --- anyone signed in
    #: The start page, the dashboard of one's own journeys, one's own password, signing out.
    use_desk = "use_desk"
    #: Mail oneself a new link that confirms one's e-mail address.
    resend_verification = "resend_verification"
    # --- reading a journey and what hangs off it
    view_journey = "view_journey"
    download_document = "download_document"
    download_stage_file = "download_stage_file"
    download_evidence = "download_evidence"
    download_packet = "download_packet"
    #: "Mail me a copy" of a packet, to the signed-in user's own address.
    mail_packet_copy = "mail_packet_copy"
    #: The stages' conversations between the applicant and Tmall Global.
    read_conversation = "read_conversation"
    # --- both sides
    #: A message on the current stage's conversation. It is neither applicant data nor a
    #: review decision: the account's applicants and Tmall Global staff both write there.
    post_message = "post_message"
    # --- the applicant's own data
    start_journey = "start_journey"
    #: Start a new journey linked to a rejected one; an admin does it for the applicant.
    continue_journey = "continue_journey"
    take_step = "take_step"
    edit_enablement_request = "edit_enablement_request"
    upload_document = "upload_document"
    register_app = "register_app"
    request_api_access = "request_api_access"
    run_checker = "run_checker"
    attach_evidence = "attach_evidence"
    #: A one-time token for a checker run on the applicant's own host.
    issue_evidence_token = "issue_evidence_token"
    withdraw_evidence = "withdraw_evidence"
    edit_stage_form = "edit_stage_form"
    edit_seller_list = "edit_seller_list"
    confirm_config = "confirm_config"
    # --- review decisions
    decide_step = "decide_step"
    write_internal_note = "write_internal_note"
    #: Internal notes are for staff only: never on the applicant's page or in a packet.
    read_internal_notes = "read_internal_notes"
    decide_document = "decide_document"
    decide_api = "decide_api"
    #: Mark a requested API as customer-information (authorized one by one, §3.5), or unmark it.
    mark_customer_info_api = "mark_customer_info_api"
    record_meeting = "record_meeting"
    #: Record the cloud environment Tmall Global configured (§3.3 a).
    record_environment = "record_environment"
    assign_journey = "assign_journey"
    view_queue = "view_queue"
    search_journeys = "search_journeys"
    #: The team's reports: stages now, time in each stage, the SLA, the weekly flow, the load.
    view_reports = "view_reports"
    #: A journey's trail as JSON lines with the chain's hashes; it holds the internal notes.
    export_trail = "export_trail"
    #: Require sandbox verification for an APP (with a reason), or lift the requirement.
    require_sandbox = "require_sandbox"
    #: Specify the security-center and cloud configurations an APP must make (§3.4 2–3).
    set_required_configs = "set_required_configs"
    # --- administration
    view_users = "view_users"
    #: Invite a user by mail; they set their own password through the link.
    add_user = "add_user"
    set_user_active = "set_user_active"
    #: Set how long files and mail are kept, and delete what is past it.
    manage_retention = "manage_retention"
    #: Download what the desk holds about a person (their own, or anyone's for an admin).
    export_personal_data = "export_personal_data"
    #: Erase a person's identifying data on their request.
    erase_personal_data = "erase_personal_data"
    #: The account's webhook endpoints and their delivery logs (its own systems hear about
    #: its journeys); the account's applicants manage them.
    manage_webhooks = "manage_webhooks"
    #: The desk's own webhook endpoints, for Tmall Global's systems (every journey).
    manage_desk_webhooks = "manage_desk_webhooks"
    # --- the desk itself
    #: A decision the desk makes under one of its rules (``workflow.rules``), never a person.
    apply_desk_rule = "apply_desk_rule"
    #: Mail a user who lost access a link to set a new password (admins never set one).
    send_password_reset = "send_password_reset"


APPLICANTS = frozenset({Role.applicant})
STAFF = frozenset({Role.reviewer, Role.admin})
ADMINS = frozenset({Role.admin})
EVERYONE = frozenset(PEOPLE_ROLES)
APPLICANTS_AND_ADMINS = APPLICANTS | ADMINS
DESK = frozenset({Role.system})


@dataclass(frozen=True)
class Rule:
    #: The roles that may act, once they can see the target.
    roles: frozenset[Role]
    #: How a refusal reads: "Only <who> <phrase>."
    phrase: LazyString


RULES: dict[Action, Rule] = {
    Action.use_desk: Rule(EVERYONE, _l("use the desk")),
    Action.resend_verification: Rule(EVERYONE, _l("confirm their e-mail address")),
    Action.view_journey: Rule(EVERYONE, _l("see this journey")),
    Action.download_document: Rule(EVERYONE, _l("download documents")),
    Action.download_stage_file: Rule(EVERYONE, _l("download stage documents")),
    Action.download_evidence: Rule(EVERYONE, _l("download evidence")),
    Action.download_packet: Rule(EVERYONE, _l("download packets")),
    Action.mail_packet_copy: Rule(EVERYONE, _l("mail themselves a packet")),
    Action.read_conversation: Rule(EVERYONE, _l("read the stages' conversations")),
    Action.post_message: Rule(EVERYONE, _l("write on the stage's conversation")),
    Action.start_journey: Rule(APPLICANTS, _l("start journeys")),
    Action.continue_journey: Rule(APPLICANTS_AND_ADMINS, _l("start a journey from a rejected one")),
    Action.take_step: Rule(APPLICANTS, _l("take the journey's steps")),
    Action.edit_enablement_request: Rule(APPLICANTS, _l("change the enablement request")),
    Action.upload_document: Rule(APPLICANTS, _l("upload enablement documents")),
    Action.register_app: Rule(APPLICANTS, _l("register or change the APP")),
    Action.request_api_access: Rule(APPLICANTS, _l("change the API requests")),
    Action.run_checker: Rule(APPLICANTS, _l("run the connectivity checker for the APP")),
    Action.attach_evidence: Rule(APPLICANTS, _l("attach evidence")),
    Action.issue_evidence_token: Rule(APPLICANTS, _l("get evidence tokens")),
    Action.withdraw_evidence: Rule(APPLICANTS, _l("withdraw evidence")),
    Action.edit_stage_form: Rule(APPLICANTS, _l("fill in the stage's forms")),
    Action.edit_seller_list: Rule(APPLICANTS, _l("propose seller lists")),
    Action.confirm_config: Rule(APPLICANTS, _l("confirm configurations")),
    Action.decide_step: Rule(STAFF, _l("decide submissions")),
    Action.write_internal_note: Rule(STAFF, _l("write internal notes")),
    Action.read_internal_notes: Rule(STAFF, _l("read internal notes")),
    Action.decide_document: Rule(STAFF, _l("decide documents")),
    Action.decide_api: Rule(STAFF, _l("decide API access")),
    Action.mark_customer_info_api: Rule(STAFF, _l("mark customer-information APIs")),
    Action.record_meeting: Rule(STAFF, _l("record the business meeting")),
    Action.record_environment: Rule(STAFF, _l("record the configured cloud environment")),
    Action.assign_journey: Rule(STAFF, _l("take queue items")),
    Action.view_queue: Rule(STAFF, _l("work the review queue")),
    Action.search_journeys: Rule(STAFF, _l("search all journeys")),
    Action.view_reports: Rule(STAFF, _l("see the reports")),
    Action.export_trail: Rule(STAFF, _l("export a journey's trail")),
    Action.set_required_configs: Rule(STAFF, _l("specify the configurations an APP must make")),
    Action.require_sandbox: Rule(STAFF, _l("require sandbox verification")),
    Action.view_users: Rule(ADMINS, _l("manage users")),
    Action.add_user: Rule(ADMINS, _l("add users")),
    Action.set_user_active: Rule(ADMINS, _l("switch users' access")),
    Action.manage_retention: Rule(ADMINS, _l("set how long records are kept")),
    Action.export_personal_data: Rule(EVERYONE, _l("export a person's data")),
    Action.erase_personal_data: Rule(ADMINS, _l("erase a person's data")),
    Action.manage_webhooks: Rule(APPLICANTS_AND_ADMINS, _l("manage webhook endpoints")),
    Action.manage_desk_webhooks: Rule(ADMINS, _l("manage the desk's webhook endpoints")),
    Action.apply_desk_rule: Rule(DESK, _l("apply the desk's own rules")),
    Action.send_password_reset: Rule(ADMINS, _l("send password-reset links")),
}

#: What a user whose e-mail address is not confirmed yet may do: read, open a draft, and ask
#: for the confirmation link again. Every other action, every submission among them, waits.
UNVERIFIED_MAY = frozenset(
    {
        Action.use_desk,
        Action.resend_verification,
        Action.view_journey,
        Action.download_document,
        Action.download_stage_file,
        Action.download_evidence,
        Action.download_packet,
        Action.read_conversation,
        Action.start_journey,
    }
)

#: Chart events the applicant fires (their own steps) and those staff fire (decisions).
APPLICANT_EVENTS = frozenset(
    {
        "submit",
        "withdraw",
        "register_app",
        "start_sandbox",
        "confirm_sandbox",
        "skip_sandbox",
        "choose_cloud",
        "choose_exemption",
        "start_distribution",
        "change_authorizations",
    }
)
REVIEWER_EVENTS = frozenset(
    {
        "approve",
        "request_changes",
        "reject",
        "refuse_exemption",
        "call_meeting",
        "environment_ready",
    }
)


#: The action each decision of the audited door (``workflow.decisions``) is.
DECISION_ACTIONS: dict[DecisionKind, Action] = {
    DecisionKind.document: Action.decide_document,
    DecisionKind.api: Action.decide_api,
    DecisionKind.api_reopened: Action.request_api_access,
    DecisionKind.api_customer_info: Action.mark_customer_info_api,
    DecisionKind.list_in_force: Action.decide_step,
    DecisionKind.assigned: Action.assign_journey,
    DecisionKind.config_required: Action.set_required_configs,
    DecisionKind.config_confirmed: Action.confirm_config,
    DecisionKind.audience: Action.register_app,
    DecisionKind.evidence_attached: Action.attach_evidence,
    DecisionKind.evidence_withdrawn: Action.withdraw_evidence,
    DecisionKind.continues: Action.continue_journey,
    DecisionKind.continued: Action.continue_journey,
    DecisionKind.message: Action.post_message,
    DecisionKind.sandbox_required: Action.require_sandbox,
    DecisionKind.files_deleted: Action.apply_desk_rule,
    DecisionKind.packet_rendered: Action.apply_desk_rule,
}

#: Decisions the desk may record itself, under a rule, in place of a reviewer.
DESK_RULE_DECISIONS = frozenset(
    {DecisionKind.list_in_force, DecisionKind.files_deleted, DecisionKind.packet_rendered}
)


def decision_action(kind: DecisionKind, actor: User) -> Action:
    """The action recording ``kind`` is for ``actor``: the desk's own under a rule, or a
    person's as ``DECISION_ACTIONS`` says."""
    if actor.role is Role.system and kind in DESK_RULE_DECISIONS:
        return Action.apply_desk_rule
    return DECISION_ACTIONS[kind]


def event_action(event: str) -> Action | None:
    """The action a chart event is; ``None`` for a name the policy does not know."""
    if event in APPLICANT_EVENTS:
        return Action.take_step
    if event in REVIEWER_EVENTS:
        return Action.decide_step
    return None


def may(user: User | None, action: Action, target: object = None) -> bool:
    try:
        authorize(user, action, target)
    except (NotFound, NotPermitted):
        return False
    return True


def authorize(user: User | None, action: Action, target: object = None) -> None:
    """Raise :class:`NotFound` or :class:`NotPermitted` unless ``user`` may do ``action``."""
    rule = RULES[action]
    if user is None or getattr(user, "is_anonymous", True):
        raise NotPermitted(_l("Sign in first."))
    if not user.is_active:
        raise NotPermitted(_l("Your access to the desk is switched off."))
    if not can_see(user, target, rule):
        raise NotFound(_l("No such %(noun)s.", noun=_noun(target)))
    if user.role not in rule.roles:
        raise NotPermitted(_l("Only %(who)s %(phrase)s.", who=_who(rule.roles), phrase=rule.phrase))
    if not user.is_email_verified and action not in UNVERIFIED_MAY:
        raise EmailNotVerified(user.email)


def can_see(user: User, target: object, rule: Rule | None = None) -> bool:
    """Whether ``target`` exists as far as ``user`` is concerned.

    A page without a target (the queue, the user list) exists only for the roles it serves.
    """
    if target is None:
        return rule is None or user.role in rule.roles
    if isinstance(target, User):
        return user.role is Role.admin or user.id == target.id
    if isinstance(target, WebhookEndpoint):
        # An account's endpoints are its own systems' business, staff's not; the desk's own
        # endpoints are the admins'.
        if target.account_id is None:
            return user.role is Role.admin
        return user.account_id is not None and user.account_id == target.account_id
    if user.is_staff or user.role is Role.system:
        return True
    account_id = account_of(target)
    return user.account_id is not None and user.account_id == account_id


def account_of(target: object) -> int | None:
    """The developer account a piece of data belongs to."""
    if isinstance(target, Account):
        return target.id
    if isinstance(target, Journey):
        return target.account_id
    if isinstance(target, ApiRequest):
        return target.app.account_id
    journey_id = getattr(target, "journey_id", None)
    if journey_id is None:
        raise TypeError(f"The policy does not know whose {type(target).__name__} this is.")
    journey = db.session.get(Journey, journey_id)
    return journey.account_id if journey is not None else None


_NOUNS = {
    "Journey": _l("journey"),
    "Account": _l("developer account"),
    "DocumentVersion": _l("document"),
    "Evidence": _l("evidence"),
    "StageForm": _l("document"),
    "SellerList": _l("seller list"),
    "Packet": _l("packet"),
    "PacketSnapshot": _l("packet"),
    "ApiRequest": _l("API request"),
    "StageMessage": _l("message"),
    "User": _l("user"),
    "WebhookEndpoint": _l("webhook endpoint"),
}


def _noun(target: object) -> LazyString:
    return _l("page") if target is None else _NOUNS.get(type(target).__name__, _l("record"))


def _who(roles: frozenset[Role]) -> LazyString:
    if roles == APPLICANTS:
        return _l("the account's applicants")
    if roles == ADMINS:
        return _l("admins")
    if roles == APPLICANTS_AND_ADMINS:
        return _l("the account's applicants and admins")
    if roles == DESK:
        return _l("the desk itself")
    return _l("reviewers")
