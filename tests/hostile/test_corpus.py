"""The hostile-input corpus: every route, field, query parameter, path argument and file field,
as every role, with every payload of ``payloads``. No case may answer 500, redirect off the
site, or leave a stored object without its row or a row without its object.

Count the cases: ``.venv/bin/pytest tests/hostile --collect-only -q | tail -1``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.hostile.cases import Case, all_cases, params
from tests.hostile.driver import rule_arguments, rule_of, send
from tests.hostile.routes import ROUTES
from tests.hostile.world import full_storage_check


def _routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_a_row(desk):
    in_table = {(route.endpoint, route.method) for route in ROUTES}
    assert sorted(_routes(desk) - in_table) == [], "add a Route to tests/hostile/routes.py"
    assert sorted(in_table - _routes(desk)) == [], "these rows name no route"


def test_every_row_fills_its_rule(desk):
    """The row's arguments are the rule's, and ids (``*_id``) are exactly its integer parts."""
    for route in ROUTES:
        arguments = rule_arguments(rule_of(desk, route))
        assert set(route.args) == set(arguments), route.name
        ids = {name for name, converter in arguments.items() if converter == "int"}
        assert ids == {name for name in arguments if name.endswith("_id")}, route.name


#: Every payload issue 11 names, as it appears in the case ids.
NAMED_IN_THE_ISSUE = (
    ":nul",
    ":control-chars",
    "auth.login.POST:next-tab-evil",
    "auth.login.POST:next-newline",
    "review.assign.POST:next-tab-evil",
    ".journey_id:id-2^31",
    ".journey_id:id-2^63",
    ".journey_id:id-huge",
    "review.queue.GET.waiting:float-1e12",
    "review.queue.GET.assignee:superscript-two",
    "review.queue.GET.assignee:int-huge",
    "review.assign.POST.assignee:superscript-two",
    "review.all_journeys.GET.page:int-huge",
    "review.all_journeys.GET.q:chars-100k",
    "apps.upload_report.POST.report:json-nested",
    "apps.upload_report.POST.report:json-4300-digits",
    "apps.upload_report.POST.report:json-apps-list",
    "apps.upload_report.POST.report:json-nan",
    "apps.upload_report.POST.report:json-1e999999",
    "distribution.save_list.POST.file.file:xlsx-bomb",
    ":zero-width",
    ":bidi",
    ":lookalike-digits",
    "apps.save_app.POST.app_key:lookalike-digits",
    ":chars-100k",
    ":file-over-upload-limit",
    ":file-html",
    "enablement.upload.POST.file:name-nul",
    "csrf:",
    "stale:",
    "double:",
)


def test_the_corpus_covers_every_payload_the_issue_names(capsys):
    ids = [case.id for case in all_cases()]
    assert [p for p in NAMED_IN_THE_ISSUE if not any(p in case_id for case_id in ids)] == []
    families = Counter(case_id.split(":", 1)[0] for case_id in ids)
    with capsys.disabled():
        summary = ", ".join(f"{n} {family}" for family, n in sorted(families.items()))
        print(f"\nhostile corpus: {len(ids)} cases over {len(ROUTES)} route rows ({summary})")


@pytest.mark.parametrize("case", params())
def test_hostile(desk, world, case: Case):
    outcome = send(desk, world, case.route, case.role, case.override)
    assert outcome.problems == [], (outcome.statuses, outcome.locations)
    if case.expect is not None:
        assert outcome.statuses[-1] == case.expect, outcome.statuses


def test_storage_check_is_clean_after_the_corpus(desk, world):
    """``flask storage check`` over everything the corpus stored: nothing missing, altered or
    unreferenced."""
    with desk.app_context():
        report = full_storage_check()
    assert report.is_consistent, (report.missing, report.mismatched, report.orphans)
    assert report.checked > 0
