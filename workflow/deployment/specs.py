"""The structured stage forms of stage 4: their fields, who fills them and when."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.models import FormKind


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    #: ``text`` (one line), ``area`` (paragraphs), ``date`` or ``check`` (a confirmation box).
    type: str = "area"
    max_length: int = 5000


@dataclass(frozen=True)
class FormSpec:
    kind: FormKind
    title: str
    #: States in which the form may be saved.
    states: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    #: Reviewers fill it (the meeting record); applicants fill the rest.
    by_reviewer: bool = False
    #: An uploaded PDF may stand in for the structured form.
    allows_document: bool = False


_MARKET_FIELDS = (
    FieldSpec("market", "Market and problem the APP addresses"),
    FieldSpec("target_sellers", "Target sellers"),
    FieldSpec("features", "Main features"),
    FieldSpec("data_handled", "Customer data the APP handles, and why"),
)

SPECS: dict[FormKind, FormSpec] = {
    FormKind.mrd: FormSpec(
        FormKind.mrd,
        "Market requirements (MRD)",
        ("mrd_prd_draft",),
        _MARKET_FIELDS,
        allows_document=True,
    ),
    FormKind.prd: FormSpec(
        FormKind.prd,
        "Product requirements (PRD)",
        ("mrd_prd_draft",),
        _MARKET_FIELDS,
        allows_document=True,
    ),
    FormKind.meeting: FormSpec(
        FormKind.meeting,
        "Business meeting",
        ("confabulation",),
        (
            FieldSpec("held_on", "Date held", "date", 10),
            FieldSpec("minutes", "Minutes", "area", 20000),
        ),
        by_reviewer=True,
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
    FormKind.deployment_confirmation: FormSpec(
        FormKind.deployment_confirmation,
        "Deployment confirmation",
        ("cloud_verification",),
        (
            FieldSpec("resources_ordered", "The cloud resources in the plan are ordered", "check"),
            FieldSpec("app_ported", "The APP is ported to and running on the cloud", "check"),
            FieldSpec("notes", "Notes for the reviewer (optional)", "area"),
        ),
    ),
    FormKind.exemption: FormSpec(
        FormKind.exemption,
        "Own-server exemption",
        ("exemption_draft",),
        (
            FieldSpec(
                "reason", "Why the APP cannot run on Taobao cloud (in detail)", "area", 10000
            ),
            FieldSpec(
                "hosting_location", "Hosting location (country, city, data centre)", "text", 300
            ),
            FieldSpec("hosting_provider", "Hosting provider", "text", 300),
            FieldSpec("data_protection", "How TOP data is protected"),
            FieldSpec("responsible_name", "Person responsible (name)", "text", 200),
            FieldSpec("responsible_email", "Person responsible (e-mail)", "text", 254),
        ),
    ),
}

OPTIONAL_FIELDS = frozenset({"notes"})
