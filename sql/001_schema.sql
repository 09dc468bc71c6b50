-- 001: the msip schema, the extensions MSIP relies on and default privileges.
-- Extensions need a superuser; the local cluster creates them in sql/admin/database.sql,
-- so here IF NOT EXISTS only checks they are there (and creates them when the owner may).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS postgis_raster;
CREATE EXTENSION IF NOT EXISTS pgrouting;
CREATE EXTENSION IF NOT EXISTS pointcloud;
CREATE EXTENSION IF NOT EXISTS pointcloud_postgis;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'msip_reader') THEN
        RAISE EXCEPTION 'role msip_reader is missing: run sql/admin/roles.sql as a superuser first';
    END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS msip;
COMMENT ON SCHEMA msip IS 'MSIP municipal spatial information system: sources, provenance and analysis results (EPSG:2180)';

GRANT USAGE ON SCHEMA msip TO msip_reader;
-- Everything msip_owner creates in the schema is readable, never writable, by the API role.
ALTER DEFAULT PRIVILEGES IN SCHEMA msip GRANT SELECT ON TABLES TO msip_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA msip GRANT SELECT ON SEQUENCES TO msip_reader;
