-- The API's role reads what it publishes, not the loaders' bookkeeping: msip.load_run holds
-- local paths, parameters and messages, msip.rejected_record the raw rows a load refused.
-- msip_reader keeps msip.load_run_public (no paths), which is what the API serves.
REVOKE SELECT ON msip.load_run, msip.rejected_record FROM msip_reader;
