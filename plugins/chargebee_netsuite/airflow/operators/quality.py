"""Great Expectations over staging: validate what the run staged, quarantine what fails."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chargebee_netsuite.airflow.operators.base import ConnectorOperator, RunContext
from chargebee_netsuite.airflow.operators.links import DataDocsLink, FinanceViewLink
from chargebee_netsuite.airflow.run_resources import RunResources, run_resources
from chargebee_netsuite.errors import ValidationFailed

if TYPE_CHECKING:
    from airflow.sdk import Context


def validate(
    resources: RunResources, run_id: str, *, mapping_path: Path, reports_dir: Path
) -> dict[str, Any]:
    """Run the suites over what is staged; quarantine failing documents; small counts.

    Raises :class:`ValidationFailed` (no retries) only when every document failed, which
    means something upstream is broken rather than one record.
    """
    from chargebee_netsuite.mapping import load_mapping
    from chargebee_netsuite.quality.run import validate_staged

    known = set(load_mapping(mapping_path).currencies)
    summary = validate_staged(
        resources.engine, resources.site, run_id, known_currencies=known, reports_dir=reports_dir
    )
    result = summary.as_dict()
    if summary.all_failed:
        raise ValidationFailed(f"every staged document failed validation: {result}")
    return result


class GreatExpectationsValidationOperator(ConnectorOperator):
    """Validate the staged Chargebee documents with Great Expectations.

    A failing document is quarantined with its reason and stops only itself; the task fails
    only if every document failed. Data Docs (with the quarantine table on top) go to
    ``<reports_dir>/data_docs/<run>/``; the task's **Data Docs** link opens them.

    :param mapping_path: the mapping file whose currencies count as known (templated).
    :param reports_dir: where Data Docs go (templated; default ``CBNS_REPORTS_DIR``).
    :param chargebee_conn_id: the ``chargebee`` connection (its site scopes the documents).
    """

    template_fields: Sequence[str] = ("mapping_path", "reports_dir")
    operator_extra_links = (DataDocsLink(), FinanceViewLink())

    def __init__(
        self, *, mapping_path: str | None = None, reports_dir: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.mapping_path = mapping_path
        self.reports_dir = reports_dir

    def execute(self, context: Context) -> dict[str, Any]:
        """Counts per kind, the first quarantined documents, the Data Docs path."""
        config = self.sync_config()
        with run_resources(config) as resources:
            return validate(
                resources,
                RunContext.of(context).run_id,
                mapping_path=Path(self.mapping_path or config.mapping_path),
                reports_dir=Path(self.reports_dir or config.reports_dir),
            )
