"""Great Expectations is imported only when a validation runs, and then quietly, file-less."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import io, json, logging, sys, time
stream = io.StringIO()
logging.basicConfig(level=logging.INFO, stream=stream)
import chargebee_netsuite.quality.run
imported_early = "great_expectations" in sys.modules
from chargebee_netsuite.quality.context import build_context
started = time.perf_counter()
context = build_context(__import__("pathlib").Path(sys.argv[1]))
print(json.dumps({
    "imported_early": imported_early,
    "seconds": time.perf_counter() - started,
    "log": stream.getvalue(),
    "sites": [s["site_name"] for s in context.get_docs_sites_urls()],
}))
"""


def test_gx_loads_lazily_quietly_and_builds_docs_only_where_asked(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(docs)],
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
        cwd=tmp_path,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["imported_early"] is False, "DAG parsing must not pay for the GX import"
    assert "Skipping registering" not in result["log"] + out.stderr
    assert result["sites"] == ["run_docs"], "no temporary docs site, nothing in the repo"
    assert list(tmp_path.iterdir()) == [], "an ephemeral context writes no project files"
