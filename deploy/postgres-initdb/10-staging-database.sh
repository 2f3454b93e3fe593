#!/usr/bin/env bash
# Runs once, when the postgres service initialises an empty data volume: creates the staging
# database and its owner next to the Airflow metadata database (POSTGRES_DB). Later changes to
# the CBNS_STAGING_* variables need a manual ALTER/CREATE (see README "Operations").
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v staging_db="$CBNS_STAGING_DB" \
  -v staging_user="$CBNS_STAGING_USER" \
  -v staging_password="$CBNS_STAGING_PASSWORD" <<'SQL'
CREATE ROLE :"staging_user" LOGIN PASSWORD :'staging_password';
CREATE DATABASE :"staging_db" OWNER :"staging_user";
SQL
