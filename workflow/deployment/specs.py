"""The structured stage forms of stage 4: their fields, who fills them and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workflow.i18n import _l
from workflow.models import FormKind
from workflow.policy import Action


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    #: ``text`` (one line), ``area`` (paragraphs), ``date`` or ``check`` (a confirmation box).
    type: str = "area"
    max_length: int = 5000
    #: A line under the field saying what a good answer holds.
    hint: str = ""
    is_required: bool = True


@dataclass(frozen=True)
class FormSpec:
    kind: FormKind
    title: str
    #: States in which the form may be saved.
    states: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    #: Who fills it in: the applicant, or staff for the records Tmall Global keeps.
    action: Action = Action.edit_stage_form
    #: An uploaded PDF may stand in for the structured form.
    allows_document: bool = False
    #: A line under the title: what the form is for, at this point of the journey.
    intro: str = ""
    #: Labels of fields an earlier version of the form had, so rows saved then still read.
    earlier_labels: tuple[tuple[str, str], ...] = ()

    @property
    def by_reviewer(self) -> bool:
        return self.action is not Action.edit_stage_form


_MRD_FIELDS = (
    FieldSpec("market", _l("Market and problem the APP addresses")),
    FieldSpec("target_sellers", _l("Target sellers")),
    FieldSpec("features", _l("Main features")),
    FieldSpec("data_handled", _l("Customer data the APP handles, and why")),
)

#: The PRD (§3.3 a) says how the product works; until issue 12 it repeated the MRD's fields,
#: and PRD rows saved then still read with these labels.
_PRD_FIELDS = (
    FieldSpec(
        "functional_requirements",
        _l("Functional requirements"),
        hint=_l("What the APP does for a seller, requirement by requirement."),
    ),
    FieldSpec(
        "user_flows",
        _l("User flows"),
        hint=_l("Step by step, what a seller's staff do and what the APP does in return."),
    ),
    FieldSpec(
        "apis_used",
        _l("TOP APIs used, and why each is needed"),
        hint=_l("One API a line: its name, what the APP calls it for, and how often."),
    ),
    FieldSpec(
        "data_handled",
        _l("Data handled"),
        hint=_l("Which customer, order and logistics fields the APP reads or writes, and why."),
    ),
    FieldSpec(
        "data_retention",
        _l("Data retention"),
        hint=_l("How long each kind of data is kept, where, and how it is deleted."),
    ),
    FieldSpec(
        "volumes",
        _l("Volumes"),
        "text",
        500,
        hint=_l("Sellers served, orders a day, API calls a day."),
    ),
    FieldSpec(
        "peak_load",
        _l("Peak load"),
        "text",
        500,
        hint=_l("Calls per second at the busiest hour, and on sale days such as 11.11."),
    ),
    FieldSpec(
        "error_handling",
        _l("Error handling"),
        hint=_l(
            "What the APP does on TOP errors, time-outs and rate limits: retries, alerts, "
            "and how no order is lost."
        ),
    ),
)

_EXEMPTION_FIELDS = (
    FieldSpec("reason", _l("Why the APP cannot run on Taobao cloud (in detail)"), "area", 10000),
    FieldSpec(
        "hosting_provider",
        _l("Hosting provider"),
        "text",
        300,
        hint=_l("Who runs the servers: your own data centre, a colocation or a public cloud."),
    ),
    FieldSpec("hosting_location", _l("Hosting location (country, city, data centre)"), "text", 300),
    FieldSpec(
        "region",
        _l("Region where TOP data is stored and processed"),
        "text",
        300,
        hint=_l("Name any backup or disaster-recovery region as well."),
    ),
    FieldSpec(
        "servers",
        _l("Servers and architecture"),
        hint=_l("The servers, databases and network the APP runs on, and how they are connected."),
    ),
    FieldSpec(
        "data_flows",
        _l("Data flows"),
        hint=_l(
            "What passes between TOP, the APP, its database and the sellers' systems, "
            "and over which connections."
        ),
    ),
    FieldSpec(
        "data_protection",
        _l("Security measures"),
        hint=_l(
            "Network isolation, access control, encryption in transit and at rest, logging, "
            "and who can reach TOP data."
        ),
    ),
    FieldSpec("responsible_name", _l("Person responsible (name)"), "text", 200),
    FieldSpec("responsible_email", _l("Person responsible (e-mail)"), "text", 254),
)

SPECS: dict[FormKind, FormSpec] = {
    FormKind.mrd: FormSpec(
        FormKind.mrd,
        _l("Market requirements (MRD)"),
        ("mrd_prd_draft",),
        _MRD_FIELDS,
        allows_document=True,
    ),
    FormKind.prd: FormSpec(
        FormKind.prd,
        _l("Product requirements (PRD)"),
        ("mrd_prd_draft",),
        _PRD_FIELDS,
        allows_document=True,
        earlier_labels=(
            ("market", _l("Market and problem the APP addresses")),
            ("target_sellers", _l("Target sellers")),
            ("features", _l("Main features")),
        ),
    ),
    FormKind.meeting: FormSpec(
        FormKind.meeting,
        _l("Business meeting"),
        ("confabulation",),
        (
            FieldSpec("held_on", _l("Date held"), "date", 10),
            FieldSpec("minutes", _l("Minutes"), "area", 20000),
        ),
        action=Action.record_meeting,
    ),
    FormKind.cloud_plan: FormSpec(
        FormKind.cloud_plan,
        _l("Cloud deployment plan"),
        ("cloud_plan_draft",),
        (
            FieldSpec("compute", _l("Compute (instances and sizes)"), "text", 500),
            FieldSpec("database", _l("Database (engine and size)"), "text", 500),
            FieldSpec("storage", _l("Storage (type and size)"), "text", 500),
            FieldSpec("network", _l("Network (bandwidth, load balancer, IPs)"), "text", 500),
            FieldSpec("architecture", _l("Architecture")),
            FieldSpec("data_flows", _l("Data flows with TOP")),
            FieldSpec("security", _l("Security measures")),
        ),
    ),
    FormKind.cloud_order: FormSpec(
        FormKind.cloud_order,
        _l("Cloud order"),
        ("cloud_provisioning", "cloud_verification"),
        (
            FieldSpec(
                "order_reference",
                _l("Order reference"),
                "text",
                200,
                hint=_l("The order number the Taobao cloud homepage gave you."),
            ),
            FieldSpec("ordered_on", _l("Date ordered"), "date", 10),
            FieldSpec(
                "services_ordered",
                _l("Services ordered"),
                hint=_l("Each service with its size: instances, database, storage, bandwidth."),
            ),
        ),
        intro=_l(
            "Tmall Global approved the plan: order its resources on the Taobao cloud homepage "
            "and record the order here."
        ),
    ),
    FormKind.cloud_environment: FormSpec(
        FormKind.cloud_environment,
        _l("Cloud environment configured by Tmall Global"),
        ("cloud_provisioning",),
        (
            FieldSpec("configured_on", _l("Date configured"), "date", 10),
            FieldSpec("region", _l("Region and zone"), "text", 200),
            FieldSpec(
                "resources",
                _l("What was configured"),
                hint=_l("Instances, database, storage and network, as set up for this APP."),
            ),
            FieldSpec(
                "access",
                _l("How the developer reaches it"),
                hint=_l("Console account, VPC, bastion host. Never write a password here."),
            ),
            FieldSpec("notes", _l("Notes for the developer"), is_required=False),
        ),
        action=Action.record_environment,
        intro=_l("The environment Tmall Global set up for this APP, to deploy and verify it in."),
    ),
    FormKind.deployment_confirmation: FormSpec(
        FormKind.deployment_confirmation,
        _l("Deployment confirmation"),
        ("cloud_verification",),
        (
            FieldSpec("app_ported", _l("The APP is ported to and running on the cloud"), "check"),
            FieldSpec("notes", _l("Notes for the reviewer"), "area", is_required=False),
        ),
        earlier_labels=(("resources_ordered", _l("The cloud resources in the plan are ordered")),),
    ),
    FormKind.exemption: FormSpec(
        FormKind.exemption,
        _l("Own-server exemption"),
        ("exemption_draft",),
        _EXEMPTION_FIELDS,
    ),
}


#: A confirmation box's value, as a page (and, in English, a packet) shows it.
YES, NO = _l("Yes"), _l("No")


def missing_fields(kind: FormKind, data: Mapping[str, object]) -> list[str]:
    """The labels of required fields ``data`` leaves empty: a row saved by an earlier version
    of the form reads, but must be completed before its step is submitted."""
    return [f.label for f in SPECS[kind].fields if f.is_required and not data.get(f.name)]


def labelled_values(kind: FormKind, data: Mapping[str, object]) -> list[tuple[str, str]]:
    """``data`` as (label, text) in the form's order; fields of an earlier version follow."""
    fields = SPECS[kind].fields
    rows = [(f.label, _text(f, data.get(f.name))) for f in fields if f.name in data]
    return [(label, text) for label, text in rows if text] + earlier_values(kind, data)


def earlier_values(kind: FormKind, data: Mapping[str, object]) -> list[tuple[str, str]]:
    """What ``data`` holds in fields the form no longer has, under the labels they had."""
    spec = SPECS[kind]
    known = {f.name for f in spec.fields}
    earlier = dict(spec.earlier_labels)
    rows = [
        (earlier.get(name) or name.replace("_", " ").capitalize(), _text(None, value))
        for name, value in data.items()
        if name not in known
    ]
    return [(label, text) for label, text in rows if text]


def _text(field: FieldSpec | None, value: object) -> str:
    if isinstance(value, bool) or (field is not None and field.type == "check"):
        return YES if value else NO
    return "" if value is None else str(value)
