#!/usr/bin/env bash
# The compose `airflow-init` service (runs once, as root, like the official init service):
# checks resources, prepares the mounted folders, then through the image's entrypoint migrates
# the Airflow metadata DB, creates the admin user and runs deploy/bootstrap.py (staging
# migration, pools, connections).
set -euo pipefail

if [[ -z "${AIRFLOW_UID:-}" ]]; then
  echo "WARNING: AIRFLOW_UID is not set; files in ./logs will belong to uid 50000." >&2
  echo "         Put AIRFLOW_UID=\$(id -u) in .env (see .env.example)." >&2
fi

# The official compose file's resource check: warn, do not fail.
mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
cpus=$(nproc)
if (( mem_kb < 4 * 1024 * 1024 )); then
  echo "WARNING: less than 4 GB of memory for Docker; Airflow may run out of memory." >&2
fi
if (( cpus < 2 )); then
  echo "WARNING: fewer than 2 CPUs for Docker; Airflow will be slow." >&2
fi

mkdir -p /opt/airflow/logs /opt/airflow/dags /opt/airflow/plugins /opt/airflow/config
chown -R "${AIRFLOW_UID:-50000}:0" /opt/airflow/logs /opt/airflow/config

# The image's entrypoint waits for the metadata DB, runs `airflow db migrate`
# (_AIRFLOW_DB_MIGRATE) and creates the admin user (_AIRFLOW_WWW_USER_CREATE) before it executes
# a `python ...` command; as root it also puts the airflow user's packages on PYTHONPATH.
exec /entrypoint python /opt/airflow/deploy/bootstrap.py
