"""Importing the quality stage must not import Great Expectations (DAG parsing stays fast)."""

from __future__ import annotations

import subprocess
import sys


def test_quality_modules_import_without_great_expectations() -> None:
    code = (
        "import sys\n"
        "import chargebee_netsuite.quality.run, chargebee_netsuite.quality.quarantine\n"
        "print('great_expectations' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
