-- Superuser part of preparing the msip database: extensions (they need superuser) and
-- database-wide settings. Run inside the msip database: psql -U postgres -d <database> -f sql/admin/database.sql
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS postgis_raster;
CREATE EXTENSION IF NOT EXISTS pgrouting;
CREATE EXTENSION IF NOT EXISTS pointcloud;
CREATE EXTENSION IF NOT EXISTS pointcloud_postgis;
-- Out-db rasters point at the COGs in $MSIP_DATA_DIR; SQL (ST_Value) must be allowed to read them.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET postgis.enable_outdb_rasters = true', current_database());
    EXECUTE format('ALTER DATABASE %I SET postgis.gdal_enabled_drivers = %L', current_database(), 'GTiff VRT');
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO msip_reader', current_database());
END
$$;
-- pgpointcloud's schema registry is written by the loaders (msip_owner).
GRANT SELECT, INSERT, UPDATE ON pointcloud_formats TO msip_owner;
GRANT SELECT ON pointcloud_formats TO msip_reader;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Server-side large-object functions write even in a read-only transaction and are granted to
-- PUBLIC by default; MSIP uses no large objects, so nobody but a superuser may create any.
REVOKE EXECUTE ON FUNCTION lo_creat(integer), lo_create(oid), lo_from_bytea(oid, bytea),
    lo_put(oid, bigint, bytea) FROM PUBLIC;
