# The production image: the official Airflow 3.3.2 image plus this project's package.
#
# Everything is installed at build time from the pinned lock (constraints.txt), so a container
# start fetches nothing (_PIP_ADDITIONAL_REQUIREMENTS stays empty in docker-compose.yaml).
FROM apache/airflow:3.3.2-python3.11

# The base image's default user; the official image refuses `pip install` as root.
USER airflow

# Only what the package build needs (README.md is its long description), so editing DAGs does
# not invalidate this layer. The developer kit (sandboxes, demo, fault matrix, benchmarks,
# plugins/cbns_devkit) stays out of the image unless `--build-arg CBNS_DEVKIT=1` asks for it.
ARG CBNS_DEVKIT=0
COPY --chown=airflow:0 pyproject.toml constraints.txt README.md /opt/cbns/src/
COPY --chown=airflow:0 plugins/ /opt/cbns/src/plugins/

# Non-editable install: package data (Alembic migrations, *.json, *.mako, *.j2 templates, the finance view's *.css/*.js) must
# ship inside the wheel. Naming apache-airflow==${AIRFLOW_VERSION} stops pip from ever moving
# Airflow itself, and naming the FAB provider (the auth manager docker-compose.yaml uses, already
# in the base image) makes pip keep its requirements satisfied while it applies our lock.
RUN if [ "${CBNS_DEVKIT}" != "1" ]; then rm -rf /opt/cbns/src/plugins/cbns_devkit; fi \
    && pip install --no-cache-dir \
        -c /opt/cbns/src/constraints.txt \
        "apache-airflow==${AIRFLOW_VERSION}" \
        apache-airflow-providers-fab \
        /opt/cbns/src \
    && python -c "import chargebee_netsuite.staging.db as d; assert (d.MIGRATIONS / 'env.py').is_file()"

# The init service's bootstrap (migrations of the staging DB, pools, connections).
COPY --chown=airflow:0 deploy/ /opt/airflow/deploy/

# DAGs, mapping config and reference data are mounted by docker-compose.yaml; copying them as
# well lets the image run on its own (for example under the Helm chart) with the same layout.
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 include/ /opt/airflow/include/
