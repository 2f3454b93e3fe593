"""One stage of a sync in its own process: ``python -m cbns_devkit.proof.stages ARGS STAGE``.

Stages: ``reference`` (pull NetSuite reference data), ``extract``, ``validate``, ``load``,
``sync`` (all four). Each calls the function the Airflow task calls, with the same
arguments. The last stdout line is a JSON summary, including this process's peak RSS.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine


def chargebee_client(args: dict[str, Any]) -> Any:
    """The Chargebee client of the run (the API key comes from the environment)."""
    from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings

    return ChargebeeClient(
        ChargebeeSettings(
            site=args["site"],
            api_key=os.environ[args["chargebee_key_env"]],
            environment="test",
            base_url=args["chargebee_url"],
            rate_limit_per_minute=int(args["rate_limit_per_minute"]),
        )
    )


def netsuite_client(args: dict[str, Any]) -> Any:
    """The NetSuite client of the run, with ``concurrency`` requests in flight at most."""
    from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
    from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter

    concurrency = int(args.get("concurrency", 5))
    config = NetSuiteConfig(
        account_id=args["account"],
        client_id=args["client_id"],
        certificate_id=args["cert"],
        private_key=Secret(Path(args["key_path"]).read_text()),
        base_url=args["netsuite_url"],
        backoff_base=float(args.get("backoff_base", 0.05)),
        backoff_cap=float(args.get("backoff_cap", 2.0)),
        timeout=float(args.get("timeout", 10.0)),
        max_attempts=int(args.get("max_attempts", 8)),
        concurrency=concurrency,
    )
    return NetSuiteClient(config, limiter=ConcurrencyLimiter(concurrency))


def run_reference(engine: Engine, args: dict[str, Any]) -> dict[str, Any]:
    """Refresh NetSuite reference data into staging (the DAG's ``pull_reference``)."""
    from chargebee_netsuite.reference.pull import refresh_reference_data

    client = netsuite_client(args)
    try:
        refresh_reference_data(client, engine)
    finally:
        client.close()
    return {}


def run_extract(engine: Engine, args: dict[str, Any]) -> dict[str, Any]:
    """Extract every resource (the DAG's ``extract`` tasks).

    With ``window_start``/``window_end`` (Unix seconds, a DAG run's data interval) only what
    changed in that window is read; without, everything is (a full sync).
    """
    from chargebee_netsuite.extract.documents import extract_all
    from chargebee_netsuite.extract.windows import Window

    window = None
    if args.get("window_start") is not None:
        window = Window.from_epochs(int(args["window_start"]), int(args["window_end"]))
    client = chargebee_client(args)
    try:
        stats = extract_all(
            client, engine, window, run_id=args["run_id"], full=bool(args.get("full"))
        )
    finally:
        client.close()
    return {"documents": sum(s.documents for s in stats), "pages": sum(s.pages for s in stats)}


def run_validate(engine: Engine, args: dict[str, Any]) -> dict[str, Any]:
    """Validate staged documents (the DAG's ``validate``)."""
    from chargebee_netsuite.mapping import parse_mapping
    from chargebee_netsuite.quality.run import validate_staged

    known = set(parse_mapping(Path(args["mapping_path"]).read_text()).currencies)
    summary = validate_staged(
        engine,
        args["site"],
        args["run_id"],
        known_currencies=known,
        reports_dir=args["reports_dir"],
    )
    return {"checked": summary.checked, "quarantined": summary.quarantined_documents}


def run_load(engine: Engine, args: dict[str, Any]) -> dict[str, Any]:
    """Post to NetSuite (the DAG's ``load``)."""
    from chargebee_netsuite.load.run import SyncSettings, sync
    from chargebee_netsuite.mapping import parse_mapping
    from chargebee_netsuite.reference.store import read_reference_data
    from chargebee_netsuite.transform.model import TransformSettings

    client = netsuite_client(args)
    try:
        summary = sync(
            engine,
            client,
            parse_mapping(Path(args["mapping_path"]).read_text()),
            read_reference_data(engine),
            args["run_id"],
            site=args["site"],
            settings=SyncSettings(
                TransformSettings(args["time_zone"]),
                concurrency=int(args.get("concurrency", 5)),
                flush_every=int(args.get("flush_every", SyncSettings.flush_every)),
            ),
            full=bool(args.get("full")),
        )
    finally:
        client.close()
    return summary.as_dict()


STAGES = {
    "reference": run_reference,
    "extract": run_extract,
    "validate": run_validate,
    "load": run_load,
}


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux carries ``ru_maxrss`` (self and children alike) across ``exec`` from the parent that
    forked: a stage started by a big orchestrator would report the orchestrator's size.
    ``VmHWM`` belongs to the address space ``exec`` created, so it is this program's own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    """Run the stage named in ``argv[1]`` with the arguments in the JSON file ``argv[0]``."""
    from chargebee_netsuite.staging.db import create_staging_engine

    args = json.loads(Path(argv[0]).read_text())
    names = ["reference", "extract", "validate", "load"] if argv[1] == "sync" else [argv[1]]
    engine = create_staging_engine(args["staging_url"])
    result: dict[str, Any] = {}
    try:
        for name in names:
            started = time.monotonic()
            result[name] = STAGES[name](engine, args)
            result[name]["seconds"] = round(time.monotonic() - started, 3)
    finally:
        engine.dispose()
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
