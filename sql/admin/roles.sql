-- Cluster-wide roles of MSIP. Run once by a superuser (the local cluster does it on start;
-- on an existing PostgreSQL run: psql -U postgres -f sql/admin/roles.sql). Idempotent.
-- msip_owner runs migrations and loaders; msip_reader is what the public API connects as.
-- Neither role gets a password here: local connections use the cluster's Unix socket.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'msip_owner') THEN
        CREATE ROLE msip_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'msip_reader') THEN
        CREATE ROLE msip_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;
-- The reader may run long reports but never for ever.
ALTER ROLE msip_reader SET statement_timeout = '30s';
ALTER ROLE msip_reader SET default_transaction_read_only = on;
