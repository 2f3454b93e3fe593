"""Seeding contract round trip, and the hooks the sandbox CLI calls."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cbns_devkit.sandbox.chargebee import add_arguments, build, generate
from cbns_devkit.sandbox.server import serve_in_thread


def test_generated_json_seeds_a_sandbox_that_serves_it_as_given(
    start_sandbox: Any, tmp_path: Path
) -> None:
    data = generate(4, 11)
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data))
    sandbox = start_sandbox(seed_file=path)
    exported = sandbox.admin.get("/export").json()
    assert exported == json.loads(path.read_text())
    listed = [r["invoice"] for r in sandbox.list_all("invoices", include_deleted="true")]
    by_id = {inv["id"]: inv for inv in data["invoices"]}
    for inv in listed:
        if "line_items_next_offset" not in inv:
            assert inv == by_id[inv["id"]]
    created = sandbox.list_all("events", **{"event_type[is]": "invoice_generated"})
    assert len(created) == len(data["invoices"])
    assert {e["event"]["event_type"] for e in sandbox.list_all("events")} == {
        "customer_created",
        "item_created",
        "item_price_created",
        "invoice_generated",
        "credit_note_created",
        "transaction_created",
    }


def test_generator_is_deterministic() -> None:
    assert generate(3, 5) == generate(3, 5)
    assert generate(3, 5) != generate(3, 6)


def test_cli_hooks_build_describe_and_demo(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--cb-scale", "3", "--no-cb-retry-after", "--cb-webhook-url", "http://x"]
    )
    assert args.cb_retry_after is False and args.cb_webhook_url == ["http://x"]
    spec = build(parser.parse_args(["--cb-scale", "3"]), tmp_path)
    assert spec.name == "chargebee"
    with serve_in_thread(spec.app) as server:
        section = spec.describe(server.base_url)
        assert section["base_url"] == f"{server.base_url}/api/v2"
        assert section["admin_url"] == f"{server.base_url}/__admin"
        assert section["site"] == "acme-test" and section["live_site"] == "acme"
        assert section["api_key"] != section["live_api_key"]
        lines = list(spec.demo(section))
    assert len(lines) == 5
    assert "product catalog v2" in lines[0]
    assert "next_offset=" in lines[1]
    assert "401 api_authentication_failed" in lines[-1]
