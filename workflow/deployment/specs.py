"""The structured stage forms of stage 4: their fields, who fills them and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
    FieldSpec("market", "Market and problem the APP addresses"),
    FieldSpec("target_sellers", "Target sellers"),
    FieldSpec("features", "Main features"),
    FieldSpec("data_handled", "Customer data the APP handles, and why"),
)

#: The PRD (§3.3 a) says how the product works; until issue 12 it repeated the MRD's fields,
#: and PRD rows saved then still read with these labels.
_PRD_FIELDS = (
    FieldSpec(
        "functional_requirements",
        "Functional requirements",
        hint="What the APP does for a seller, requirement by requirement.",
    ),
    FieldSpec(
        "user_flows",
        "User flows",
        hint="Step by step, what a seller's staff do and what the APP does in return.",
    ),
    FieldSpec(
        "apis_used",
        "TOP APIs used, and why each is needed",
        hint="One API a line: its name, what the APP calls it for, and how often.",
    ),
    FieldSpec(
        "data_handled",
        "Data handled",
        hint="Which customer, order and logistics fields the APP reads or writes, and why.",
    ),
    FieldSpec(
        "data_retention",
        "Data retention",
        hint="How long each kind of data is kept, where, and how it is deleted.",
    ),
    FieldSpec(
        "volumes",
        "Volumes",
        "text",
        500,
        hint="Sellers served, orders a day, API calls a day.",
    ),
    FieldSpec(
        "peak_load",
        "Peak load",
        "text",
        500,
        hint="Calls per second at the busiest hour, and on sale days such as 11.11.",
    ),
    FieldSpec(
        "error_handling",
        "Error handling",
        hint="What the APP does on TOP errors, time-outs and rate limits: retries, alerts, "
        "and how no order is lost.",
    ),
)

_EXEMPTION_FIELDS = (
    FieldSpec("reason", "Why the APP cannot run on Taobao cloud (in detail)", "area", 10000),
    FieldSpec(
        "hosting_provider",
        "Hosting provider",
        "text",
        300,
        hint="Who runs the servers: your own data centre, a colocation or a public cloud.",
    ),
    FieldSpec("hosting_location", "Hosting location (country, city, data centre)", "text", 300),
    FieldSpec(
        "region",
        "Region where TOP data is stored and processed",
        "text",
        300,
        hint="Name any backup or disaster-recovery region as well.",
    ),
    FieldSpec(
        "servers",
        "Servers and architecture",
        hint="The servers, databases and network the APP runs on, and how they are connected.",
    ),
    FieldSpec(
        "data_flows",
        "Data flows",
        hint="What passes between TOP, the APP, its database and the sellers' systems, "
        "and over which connections.",
    ),
    FieldSpec(
        "data_protection",
        "Security measures",
        hint="Network isolation, access control, encryption in transit and at rest, logging, "
        "and who can reach TOP data.",
    ),
    FieldSpec("responsible_name", "Person responsible (name)", "text", 200),
    FieldSpec("responsible_email", "Person responsible (e-mail)", "text", 254),
)

SPECS: dict[FormKind, FormSpec] = {
    FormKind.mrd: FormSpec(
        FormKind.mrd,
        "Market requirements (MRD)",
        ("mrd_prd_draft",),
        _MRD_FIELDS,
        allows_document=True,
    ),
    FormKind.prd: FormSpec(
        FormKind.prd,
        "Product requirements (PRD)",
        ("mrd_prd_draft",),
        _PRD_FIELDS,
        allows_document=True,
        earlier_labels=(
            ("market", "Market and problem the APP addresses"),
            ("target_sellers", "Target sellers"),
            ("features", "Main features"),
        ),
    ),
    FormKind.meeting: FormSpec(
        FormKind.meeting,
        "Business meeting",
        ("confabulation",),
        (
            FieldSpec("held_on", "Date held", "date", 10),
            FieldSpec("minutes", "Minutes", "area", 20000),
        ),
        action=Action.record_meeting,
    ),
    FormKind.cloud_plan: FormSpec(
        FormKind.cloud_plan,
        "Cloud deployment plan",
        ("cloud_plan_draft",),
        (
            FieldSpec("compute", "Compute (instances and sizes)", "text", 500),
            FieldSpec("database", "Database (engine and size)", "text", 500),
            FieldSpec("storage", "Storage (type and size)", "text", 500),
            FieldSpec("network", "Network (bandwidth, load balancer, IPs)", "text", 500),
            FieldSpec("architecture", "Architecture"),
            FieldSpec("data_flows", "Data flows with TOP"),
            FieldSpec("security", "Security measures"),
        ),
    ),
    FormKind.cloud_order: FormSpec(
        FormKind.cloud_order,
        "Cloud order",
        ("cloud_provisioning", "cloud_verification"),
        (
            FieldSpec(
                "order_reference",
                "Order reference",
                "text",
                200,
                hint="The order number the Taobao cloud homepage gave you.",
            ),
            FieldSpec("ordered_on", "Date ordered", "date", 10),
            FieldSpec(
                "services_ordered",
                "Services ordered",
                hint="Each service with its size: instances, database, storage, bandwidth.",
            ),
        ),
        intro="Tmall Global approved the plan: order its resources on the Taobao cloud homepage "
        "and record the order here.",
    ),
    FormKind.cloud_environment: FormSpec(
        FormKind.cloud_environment,
        "Cloud environment configured by Tmall Global",
        ("cloud_provisioning",),
        (
            FieldSpec("configured_on", "Date configured", "date", 10),
            FieldSpec("region", "Region and zone", "text", 200),
            FieldSpec(
                "resources",
                "What was configured",
                hint="Instances, database, storage and network, as set up for this APP.",
            ),
            FieldSpec(
                "access",
                "How the developer reaches it",
                hint="Console account, VPC, bastion host. Never write a password here.",
            ),
            FieldSpec("notes", "Notes for the developer", is_required=False),
        ),
        action=Action.record_environment,
        intro="The environment Tmall Global set up for this APP, to deploy and verify it in.",
    ),
    FormKind.deployment_confirmation: FormSpec(
        FormKind.deployment_confirmation,
        "Deployment confirmation",
        ("cloud_verification",),
        (
            FieldSpec("app_ported", "The APP is ported to and running on the cloud", "check"),
            FieldSpec("notes", "Notes for the reviewer", "area", is_required=False),
        ),
        earlier_labels=(("resources_ordered", "The cloud resources in the plan are ordered"),),
    ),
    FormKind.exemption: FormSpec(
        FormKind.exemption,
        "Own-server exemption",
        ("exemption_draft",),
        _EXEMPTION_FIELDS,
    ),
}


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
        (earlier.get(name, name.replace("_", " ").capitalize()), _text(None, value))
        for name, value in data.items()
        if name not in known
    ]
    return [(label, text) for label, text in rows if text]


def _text(field: FieldSpec | None, value: object) -> str:
    if isinstance(value, bool) or (field is not None and field.type == "check"):
        return "Yes" if value else "No"
    return "" if value is None else str(value)
