"""Stage 2 (APP and API access) and the checker page of stages 3 and 4a."""

from flask import Blueprint, abort, current_app, flash, make_response, render_template
from flask_login import current_user

from top.egress import EgressPolicy
from top.evidence import stand_in_url
from workflow.apps import checks, panels  # noqa: F401  (register requirements and panels)
from workflow.apps import operations as ops
from workflow.apps import sandbox as sandbox_ops
from workflow.apps.advice_text import check_advice, check_message
from workflow.apps.catalogue import customer_info_source
from workflow.apps.checker_download import (
    CHECKER_FILENAME,
    HOST_INSTALL,
    HOST_REQUIREMENTS,
    checker_zipapp,
)
from workflow.apps.evidence import (
    EVIDENCE_STATE,
    attach_desk_run,
    attach_uploaded_report,
    issue_evidence_token,
    run_checker,
)
from workflow.apps.evidence import withdraw_evidence as withdraw_evidence_op
from workflow.apps.forms import (
    ApiDecisionForm,
    ApiRequestForm,
    AppForm,
    CheckerForm,
    CustomerInfoForm,
    ReportUploadForm,
    SandboxRequirementForm,
)
from workflow.apps.report_schema import ReportProblem
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _
from workflow.journeys.actions import (
    act,
    back_to,
    load_journey,
    send_journey_file,
)
from workflow.models import Audience, Evidence, EvidenceKind
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action, row_on_journey
from workflow.web.limits import rate_limit
from workflow.web.pending_edits import NO_CSRF, carries_edits

bp = Blueprint("apps", __name__)
#: Every page that shows a checker report (the checker's, the evidence panel) reads its advice
#: and why steps were skipped in the reader's language.
bp.add_app_template_global(check_advice)
bp.add_app_template_global(check_message)


@bp.route("/journeys/<int:journey_id>/app", methods=["POST"])
@requires_action(Action.register_app, target=journey_of)
def save_app(journey_id: int):
    form = AppForm()
    return act(
        journey_id,
        lambda journey: _register_app(journey, current_user, form),
        _("The APP is registered."),
        "app",
        form=form,
        key="app",
    )


def _register_app(journey, user, form: AppForm):
    return ops.register_app(
        journey,
        user,
        app_key=form.app_key.data,
        name=form.name.data,
        description=form.description.data,
        is_new=form.origin.data != "existing",
        audience=Audience(form.audience.data),
    )


carries_edits(
    "app",
    Action.register_app,
    build=lambda journey, fields: AppForm(formdata=fields, meta=NO_CSRF),
    save=_register_app,
)
carries_edits(
    "apis",
    Action.request_api_access,
    build=lambda journey, fields: ApiRequestForm(formdata=fields, meta=NO_CSRF),
    save=lambda journey, user, form: ops.request_api_access(journey, user, form.reasons()),
)


@bp.route("/journeys/<int:journey_id>/apis", methods=["POST"])
@requires_action(Action.request_api_access, target=journey_of)
def save_apis(journey_id: int):
    form = ApiRequestForm()
    return act(
        journey_id,
        lambda journey: ops.request_api_access(journey, current_user, form.reasons()),
        _("Your API requests are saved."),
        "app",
        form=form,
        key="apis",
    )


@bp.route("/journeys/<int:journey_id>/apis/<int:request_id>/decision", methods=["POST"])
@requires_action(Action.decide_api, target=journey_of)
def decide_api(journey_id: int, request_id: int):
    form = ApiDecisionForm()
    return act(
        journey_id,
        lambda journey: ops.decide_api(
            journey,
            current_user,
            request_id,
            grant=form.decision.data == "grant",
            reason=form.reason.data or "",
        ),
        lambda done: _("API granted.") if form.decision.data == "grant" else _("API refused."),
        "app",
        form=form,
        key=panels.decision_form_key(request_id),
    )


@bp.route("/journeys/<int:journey_id>/apis/<int:request_id>/customer-info", methods=["POST"])
@requires_action(Action.mark_customer_info_api, target=journey_of)
def mark_customer_info(journey_id: int, request_id: int):
    form = CustomerInfoForm()
    return act(
        journey_id,
        lambda journey: ops.mark_customer_info(
            journey, current_user, request_id, marked=form.marked.data == "yes"
        ),
        _marked_message,
        "app",
        form=form,
    )


def _marked_message(request) -> str:
    source = customer_info_source(request)
    if source == "catalogue" and not request.is_customer_info_marked:
        return _(
            "%(method)s is not marked; it stays a customer-information API, as the "
            "desk's catalogue (CUSTOMER_INFO_APIS) lists it.",
            method=request.method,
        )
    if source:
        return _(
            "%(method)s is marked as a customer-information API (guide §3.5).",
            method=request.method,
        )
    return _("%(method)s is no longer marked as a customer-information API.", method=request.method)


@bp.route("/journeys/<int:journey_id>/sandbox/requirement", methods=["POST"])
@requires_action(Action.require_sandbox, target=journey_of)
def require_sandbox(journey_id: int):
    form = SandboxRequirementForm()
    return act(
        journey_id,
        lambda journey: sandbox_ops.set_sandbox_requirement(
            journey,
            current_user,
            required=form.required.data == "yes",
            reason=form.reason.data or "",
        ),
        lambda done: (
            _("Sandbox verification is now required for this APP.")
            if form.required.data == "yes"
            else _("Sandbox verification is recommended only for this APP.")
        ),
        "sandbox",
        form=form,
        key="sandbox",
    )


@bp.route("/journeys/<int:journey_id>/check/<kind>", methods=["GET", "POST"])
@requires_action(Action.run_checker, target=journey_of)
@rate_limit("checker")
def checker(journey_id: int, kind: str):
    journey = load_journey(journey_id)
    evidence_kind = _evidence_kind(kind)
    if journey.app is None:
        abort(404)
    form = CheckerForm()
    if not current_app.config["TOP_CHECKER_CUSTOM_URLS"]:
        form.gateway.choices = [c for c in form.gateway.choices if c.value != "custom"]
    if not current_app.config["TOP_DEMO_STAND_INS"]:
        form.gateway.choices = [c for c in form.gateway.choices if "stand-in" not in c.value]
    report = None
    if form.validate_on_submit():
        try:
            report = run_checker(
                _gateway(form),
                journey.app.app_key,
                form.app_secret.data,
                form.sign_method.data,
                form.session.data,
                ops.granted_apis(journey),
                rules=form.rules.data,
                egress=_egress(form),
            )
        except DomainError as exc:
            flash(str(exc.message), "error")
        if report is not None and form.attach.data == "yes":
            return _attach(journey, evidence_kind, report)
    form.app_secret.data = ""  # never echo the secret back into the page
    return render_template(
        "apps/checker.html",
        journey=journey,
        kind=evidence_kind,
        form=form,
        report=report,
        apis=ops.granted_apis(journey),
        https_only=ops.https_only_apis(journey),
        default_gateway=current_app.config["TOP_GATEWAY_URL"],
        # Only sandbox evidence may be a run from this desk; the cloud is proven from the host.
        collecting=journey.state == EVIDENCE_STATE[evidence_kind]
        and evidence_kind is EvidenceKind.sandbox,
    )


def _attach(journey, kind: EvidenceKind, report):
    try:
        evidence = attach_desk_run(journey, kind, current_user, report)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return back_to(journey.id, "evidence")
    db.session.commit()
    if evidence.is_passing:
        flash(_("The passing check is signed by the desk and attached as evidence."), "success")
    else:
        flash(_("The check did not pass; it is kept, but does not count as evidence."), "error")
    return back_to(journey.id, "evidence")


@bp.route("/journeys/<int:journey_id>/check/<kind>/upload", methods=["POST"])
@requires_action(Action.attach_evidence, target=journey_of)
def upload_report(journey_id: int, kind: str):
    evidence_kind = _evidence_kind(kind)
    form = ReportUploadForm()

    def attach(journey):
        upload = form.report.data
        if upload is None or not upload.filename:
            raise DomainError(_("Choose the signed report the checker wrote."))
        try:
            return attach_uploaded_report(
                journey, evidence_kind, current_user, upload.stream, upload.filename
            )
        except ReportProblem as exc:
            raise ReportProblem(
                _("The report was not accepted: %(problem)s", problem=exc.message)
            ) from exc

    return act(journey_id, attach, _attached_message, "evidence", form=form)


def _attached_message(evidence) -> str:
    if evidence.is_passing:
        return _("The signed report is verified and attached as evidence.")
    return _("The signed report is attached, but some checks failed; it does not count.")


@bp.route("/journeys/<int:journey_id>/check/<kind>/token", methods=["POST"])
@requires_action(Action.issue_evidence_token, target=journey_of)
def evidence_token(journey_id: int, kind: str):
    evidence_kind = _evidence_kind(kind)
    journey = load_journey(journey_id)
    try:
        token = issue_evidence_token(journey, evidence_kind, current_user)
    except DomainError as exc:
        db.session.rollback()
        if exc.status_code != 400:
            raise
        flash(str(exc.message), "error")
        return back_to(journey_id, "evidence")
    db.session.commit()
    page = render_template(
        "apps/evidence_token.html",
        journey=journey,
        kind=evidence_kind,
        token=str(token),
        filename=CHECKER_FILENAME,
        host_requirements=HOST_REQUIREMENTS,
        host_install=HOST_INSTALL,
        gateway=_host_gateway(evidence_kind),
        apis=ops.granted_apis(journey),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the token is shown once, to its owner
    return response


@bp.route("/checker/top-checker.pyz")
@requires_action(Action.use_desk)
def checker_download():
    response = make_response(checker_zipapp())
    response.headers["Content-Type"] = "application/octet-stream"
    response.headers["Content-Disposition"] = f"attachment; filename={CHECKER_FILENAME}"
    return response


@bp.route("/journeys/<int:journey_id>/evidence/<int:evidence_id>/withdraw", methods=["POST"])
@requires_action(
    Action.withdraw_evidence, target=row_on_journey(Evidence, "evidence_id", "evidence")
)
def withdraw_evidence(journey_id: int, evidence_id: int):
    return act(
        journey_id,
        lambda journey: withdraw_evidence_op(journey, current_user, evidence_id),
        _("The report is withdrawn; it stays on record but no longer counts."),
        "evidence",
    )


@bp.route("/journeys/<int:journey_id>/evidence/<int:evidence_id>/file")
@requires_action(
    Action.download_evidence, target=row_on_journey(Evidence, "evidence_id", "evidence")
)
def evidence_file(journey_id: int, evidence_id: int):
    return send_journey_file(
        journey_id, Evidence, evidence_id, filename="report.json", content_type="application/json"
    )


def _evidence_kind(kind: str) -> EvidenceKind:
    try:
        return EvidenceKind(kind)
    except ValueError:
        abort(404)


def _gateway(form: CheckerForm) -> str:
    if form.gateway.data == "custom":
        if not current_app.config["TOP_CHECKER_CUSTOM_URLS"]:
            # The checker connects from this server: an arbitrary URL would let anyone probe
            # hosts the server can reach.
            raise DomainError(_("This desk checks only the TOP gateways and its own gateway."))
        if not form.custom_url.data:
            raise DomainError(_("Enter the custom gateway URL."))
        return form.custom_url.data
    if form.gateway.data == "default":
        return current_app.config["TOP_GATEWAY_URL"]
    if form.gateway.data.startswith("stand-in-"):
        if not current_app.config["TOP_DEMO_STAND_INS"]:
            raise DomainError(_("This desk has no stand-in gateways."))
        environment = form.gateway.data.removeprefix("stand-in-")
        return stand_in_url(current_app.config["TOP_GATEWAY_URL"], environment)
    return form.gateway.data


def _egress(form: CheckerForm) -> EgressPolicy | None:
    """A URL the applicant typed reaches only public addresses and the operator's allow-list."""
    if form.gateway.data != "custom":
        return None
    return EgressPolicy.from_setting(current_app.config["TOP_CHECKER_ALLOWED_NETWORKS"])


def _host_gateway(kind: EvidenceKind) -> str:
    """What to pass as --gateway on the host: the real TOP name, or the demo's stand-in."""
    environment = "sandbox" if kind is EvidenceKind.sandbox else "production"
    if current_app.config["TOP_DEMO_STAND_INS"]:
        return stand_in_url(current_app.config["TOP_GATEWAY_URL"], environment)
    return environment
