"""Each run's Great Expectations Data Docs, served on the Airflow API server.

Mounted by the AirflowPlugin at ``/chargebee-netsuite/data-docs``: ``/<run>/index.html`` is the
folder :func:`chargebee_netsuite.quality.docs.docs_dir` wrote for that run under the reports
directory (shared by the workers and the API server, as the reconciliation reports are).
Reading needs permission to read runs of the sync DAG, as Airflow's own REST API checks it.
"""

# No ``from __future__ import annotations``: FastAPI resolves the endpoint's annotations.
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse

Dependency = Callable[..., Any]


def has_data_docs(reports_dir: Path, run_id: str) -> bool:
    """Whether the run's validation built Data Docs (it builds none when it checked nothing)."""
    from chargebee_netsuite.quality.docs import run_folder

    return (reports_dir / "data_docs" / run_folder(run_id) / "index.html").is_file()


def create_app(
    reports_dir: Callable[[], Path], *, read_access: Dependency | None = None
) -> FastAPI:
    """The app; ``reports_dir`` is read per request (no I/O at import). Tests may pass their
    own access check."""
    if read_access is None:
        from chargebee_netsuite.finance_view.auth import can_read
        from chargebee_netsuite.finance_view.settings import SYNC_DAG_ID

        read_access = can_read(SYNC_DAG_ID)
    app = FastAPI(title="Data Docs", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/{run_folder}/{path:path}", dependencies=[Depends(read_access)])
    def page(run_folder: str, path: str) -> FileResponse:
        """One file of a run's Data Docs; nothing outside that run's folder."""
        root = (reports_dir() / "data_docs").resolve()
        folder = (root / run_folder).resolve()
        wanted = (folder / (path or "index.html")).resolve()
        if folder.parent != root or not wanted.is_relative_to(folder) or not wanted.is_file():
            raise HTTPException(404, "no such Data Docs page on this server")
        return FileResponse(wanted)

    return app
