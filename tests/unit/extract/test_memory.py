"""A 100k-document window streams through staging in flat memory.

Each run happens in a fresh interpreter so its peak RSS belongs to the extraction alone; the
100k-document run must peak at about the same RSS as a 5k-document one.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import httpx

FILLER = "x" * 400


def make_handler(pages: int) -> httpx.MockTransport:
    """A transactions listing of ``pages`` full pages, generated lazily."""

    def handler(request: httpx.Request) -> httpx.Response:
        if "updated_at[between]" in request.url.params:  # the tail re-read: nothing changed
            return httpx.Response(200, json={"list": []})
        number = int(request.url.params.get("offset") or 0)
        docs = [
            {
                "transaction": {
                    "id": f"txn_{number * 100 + i}",
                    "type": "payment",
                    "status": "success",
                    "amount": 100,
                    "resource_version": 1,
                    "note": FILLER,
                }
            }
            for i in range(100)
        ]
        body: dict[str, object] = {"list": docs}
        if number + 1 < pages:
            body["next_offset"] = str(number + 1)
        return httpx.Response(200, content=json.dumps(body))

    return httpx.MockTransport(handler)


def run(pages: int, db: str) -> None:
    """Extract ``pages`` x 100 documents into ``db``; print documents staged and peak RSS."""
    from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
    from chargebee_netsuite.extract.documents import extract_resource
    from chargebee_netsuite.staging.chargebee_queries import staged_ids
    from chargebee_netsuite.staging.chargebee_tables import cb_transactions
    from chargebee_netsuite.staging.db import create_staging_engine, migrate

    engine = create_staging_engine(f"sqlite:///{db}")
    migrate(engine)
    settings = ChargebeeSettings(
        site="acme", api_key="k", base_url="http://cb.test", rate_limit_per_minute=10**9
    )
    client = ChargebeeClient(settings, transport=make_handler(pages))
    stats = extract_resource(client, engine, "transactions")
    with engine.connect() as conn:
        staged = len(staged_ids(conn, cb_transactions, "acme"))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"documents": stats.documents, "staged": staged, "peak_kib": peak_kib}))


def measure(pages: int, tmp_path: Path) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, __file__, str(pages), str(tmp_path / f"staging-{pages}.db")],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_memory_stays_flat_over_a_100k_document_listing(tmp_path: Path) -> None:
    small = measure(50, tmp_path)
    large = measure(1000, tmp_path)
    assert small["staged"] == 5_000
    assert large["documents"] == large["staged"] == 100_000
    # Holding the large window would add well over 100 MiB of dicts.
    growth_mib = (large["peak_kib"] - small["peak_kib"]) / 1024
    assert growth_mib < 30, f"peak RSS grew by {growth_mib:.0f} MiB from 5k to 100k documents"


if __name__ == "__main__":
    run(int(sys.argv[1]), sys.argv[2])
