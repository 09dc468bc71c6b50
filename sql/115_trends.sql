-- 115: indicator trends over the analysis runs (issue 19). The reference of every heat-island
-- run, for the API's trends and honest colour scales: the air temperature is shown as its
-- anomaly against the run's own T_ref, over a span of at least UHI_max. msip.load_run itself
-- stays closed to the API role (075); the view publishes only these parameters of succeeded runs.
-- And an index for the living-conditions runs of older epochs, which read the newest
-- green-access result of each building snapshot (processing/living/inputs.py).

CREATE VIEW msip.heat_run_reference AS
SELECT run_id AS load_run_id, epoch, params->>'mode' AS mode,
       (params->>'t_ref_c')::double precision AS t_ref_c,
       (params->>'uhi_max_c')::double precision AS uhi_max_c
FROM msip.load_run
WHERE source_kind = 'analysis:heat-island' AND status = 'succeeded';
COMMENT ON VIEW msip.heat_run_reference IS 'Reference temperature and UHI magnitude of each succeeded heat-island run (pl: temperatura odniesienia przebiegów analizy wysp ciepła)';
COMMENT ON COLUMN msip.heat_run_reference.load_run_id IS 'The heat-island run (msip.load_run)';
COMMENT ON COLUMN msip.heat_run_reference.epoch IS 'Survey date of the rasters the run used';
COMMENT ON COLUMN msip.heat_run_reference.mode IS 'day or night model';
COMMENT ON COLUMN msip.heat_run_reference.t_ref_c IS 'Reference (rural) air temperature T_ref of the run, °C';
COMMENT ON COLUMN msip.heat_run_reference.uhi_max_c IS 'UHI_max of the run: T_air − T_ref where HM = 0, °C';
GRANT SELECT ON msip.heat_run_reference TO msip_reader;

CREATE INDEX greenspace_access_result_building_pk_idx ON msip.greenspace_access_result (building_pk, load_run_id DESC);
