"""flask packets build: says whether it served stored bytes or rendered, and catches a renderer
that no longer makes the recorded bytes."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, select

from workflow.extensions import db
from workflow.models import Packet, PacketSnapshot
from workflow.packets import cache, native, operations
from workflow.packets.render import render_packet


def _build(app, journey, out, *extra):
    args = ["packets", "build", "--journey", str(journey.id), "--kind", "enablement_seller"]
    return app.test_cli_runner().invoke(args=[*args, *extra, "-o", str(out)])


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_submission_records_the_renderer_that_made_its_packet(seller_submission):
    _, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    assert packet.renderer_digest == cache.renderer_digest()
    assert len(packet.renderer_digest) == 64


def test_unchanged_inputs_serve_the_stored_bytes_and_say_so(app, tmp_path, seller_submission):
    journey, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    out = tmp_path / "packet.pdf"
    result = _build(app, journey, out)
    assert result.exit_code == 0, result.output
    assert "served the stored bytes" in result.output
    assert _sha256(out) == packet.sha256


def test_render_renders_afresh_and_compares_byte_for_byte(app, tmp_path, seller_submission):
    journey, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    out = tmp_path / "packet.pdf"
    result = _build(app, journey, out, "--render")
    assert result.exit_code == 0, result.output
    assert "rendered afresh: identical to the recorded packet, byte for byte" in result.output
    assert _sha256(out) == packet.sha256


def test_another_renderer_is_rendered_and_compared_not_taken_on_trust(
    app, tmp_path, seller_submission, monkeypatch
):
    """A machine whose renderer digest differs never claims identity from the cache key."""
    journey, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    monkeypatch.setattr(cache, "renderer_digest", lambda: "e" * 64)
    rendered = []

    def different_render(data):
        rendered.append(data.reference)  # what other HarfBuzz or Pango versions would do
        return render_packet(data) + b"\n% another renderer\n"

    monkeypatch.setattr(operations, "render_packet", different_render)
    out = tmp_path / "packet.pdf"
    result = _build(app, journey, out)
    assert result.exit_code == 1, result.output
    assert rendered == [packet.reference]
    assert "rendered afresh: DIFFERS from the recorded packet" in result.output
    assert "eeeeeeeeeeee" in result.output and packet.renderer_digest[:12] in result.output
    assert "identical" not in result.output
    assert _sha256(out) == packet.sha256  # without --render it writes the recorded packet
    result = _build(app, journey, out, "--render")
    assert result.exit_code == 1 and "DIFFERS" in result.output
    assert _sha256(out) != packet.sha256  # --render writes the fresh render to inspect


def test_a_faked_renderer_that_still_matches_is_reported_as_identical(
    app, tmp_path, seller_submission, monkeypatch
):
    journey, _, submit = seller_submission
    submit()
    monkeypatch.setattr(cache, "renderer_digest", lambda: "e" * 64)
    result = _build(app, journey, tmp_path / "packet.pdf")
    assert result.exit_code == 0, result.output
    assert "rendered afresh: identical to the recorded packet, byte for byte" in result.output
    assert "is not the one that made it" in result.output


def _rename_the_shop(journey) -> None:
    journey.enablement_request.shop_name = "Renamed Store"
    db.session.commit()


def _text(path) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_packets_build_renders_the_submissions_snapshot_whatever_changed_since(
    app, tmp_path, seller_submission
):
    """The snapshot frozen at the submission is what a rebuild renders: a later edit of the
    rows changes nothing, so an operator can check a new machine's renderer at any time."""
    journey, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    _rename_the_shop(journey)
    out = tmp_path / "packet.pdf"
    result = _build(app, journey, out)
    assert result.exit_code == 0, result.output
    assert "served the stored bytes" in result.output
    result = _build(app, journey, out, "--render")
    assert result.exit_code == 0, result.output
    assert "rendered afresh: identical to the recorded packet, byte for byte" in result.output
    assert _sha256(out) == packet.sha256
    result = _build(app, journey, out, "--current-data")
    assert "as it is now" in result.output
    assert "Renamed Store" in _text(out)


def test_packets_build_of_a_packet_without_snapshot_after_the_data_changed(
    app, tmp_path, seller_submission
):
    """A packet rendered before snapshots can only be rebuilt from the rows as they are now."""
    journey, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    db.session.execute(delete(PacketSnapshot))
    _rename_the_shop(journey)
    out = tmp_path / "packet.pdf"
    result = _build(app, journey, out)
    assert result.exit_code == 0, result.output
    assert "served the recorded packet: the data has changed" in result.output
    assert _sha256(out) == packet.sha256
    result = _build(app, journey, out, "--current-data")
    assert "as it is now" in result.output
    assert "Renamed Store" in _text(out)


@pytest.fixture
def no_harfbuzz_subset(monkeypatch):
    """This machine as one without libharfbuzz-subset0: WeasyPrint's own handle is None."""
    monkeypatch.setattr(native.weasyprint_ffi, "harfbuzz_subset", None)


def test_without_harfbuzz_subsetting_a_packet_is_refused_in_one_line(samples, no_harfbuzz_subset):
    with pytest.raises(native.RendererUnavailable) as refused:
        render_packet(samples.make("enablement_seller"))
    message = refused.value.message
    assert "\n" not in message
    assert "libharfbuzz-subset0" in message
    assert "apt-get install libharfbuzz-subset0" in message


def test_without_harfbuzz_subsetting_a_submission_is_refused_and_nothing_moves(
    client, login, seller_submission, no_harfbuzz_subset
):
    journey, applicant, _ = seller_submission
    version = journey.version_id
    events_before = len(journey.events)
    login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/events/submit",
        data={"version": version},
    )
    assert response.status_code == 400  # the page again, with the reason
    assert "HarfBuzz subsetting (libharfbuzz-subset0) is missing" in response.text
    db.session.expire_all()
    assert journey.state == "enablement_draft" and journey.version_id == version
    assert len(journey.events) == events_before
    assert db.session.scalars(select(Packet)).first() is None


def test_without_harfbuzz_subsetting_packets_build_refuses_in_one_line(
    app, tmp_path, seller_submission, monkeypatch
):
    journey, _, submit = seller_submission
    submit()
    monkeypatch.setattr(native.weasyprint_ffi, "harfbuzz_subset", None)
    result = _build(app, journey, tmp_path / "packet.pdf", "--render")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: " + native.missing_renderer_message()]
