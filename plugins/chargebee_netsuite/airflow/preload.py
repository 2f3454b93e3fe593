"""Import, once, what the sync's task processes import each time: for an executor to preload.

Importing Great Expectations takes seconds (pandas, scipy; 4-16 s on a shared 2-core machine),
and every task process that validates paid it again: on the webhook path that was most of a
run. Airflow 3.3 can preload modules for the LocalExecutor's workers (documented options, no
code of ours in Airflow)::

    [scheduler]
    mp_start_method = forkserver
    mp_forkserver_preload = chargebee_netsuite.airflow.preload

The scheduler's forkserver imports this module once; the executor's workers are forked from
it, and each task process is forked from a worker, so it starts with everything below already
imported (shared copy-on-write). The first task after the scheduler starts waits for the
import; every later one does not. Importing this module starts no thread and opens nothing.
"""

from __future__ import annotations

import importlib
import warnings

# Great Expectations first: it is nearly all of the cost.
MODULES = (
    "great_expectations",
    "chargebee_netsuite.airflow.operators",
    "chargebee_netsuite.airflow.run_resources",
    "chargebee_netsuite.airflow.hooks.chargebee",
    "chargebee_netsuite.airflow.hooks.netsuite",
    "chargebee_netsuite.extract.documents",
    "chargebee_netsuite.extract.events",
    "chargebee_netsuite.quality.run",
    "chargebee_netsuite.load.run",
    "chargebee_netsuite.mapping",
    "chargebee_netsuite.reference.store",
    "chargebee_netsuite.staging.db",
)


def preload() -> None:
    """Import :data:`MODULES` (quietly: GX logs and warns at import)."""
    from chargebee_netsuite.quality.context import quiet_gx

    quiet_gx()
    with warnings.catch_warnings():
        # GX 1.x still imports sre_constants/sre_parse, deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in MODULES:
            importlib.import_module(name)


preload()
