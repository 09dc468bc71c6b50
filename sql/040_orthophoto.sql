-- 040: orthophoto views. The orthophoto loader (pipelines/orthophoto.py) catalogues its COGs in
-- msip.raster_asset with kinds orthophoto (R,G,B,NIR analysis copy), ndvi (int16, NDVI x 10000,
-- nodata -32768), brightness (uint8 luminance 1-255, nodata 0) and orthophoto_rgb (JPEG display
-- copy); each epoch also has one mosaic VRT per kind (is_mosaic). This view picks the latest epoch.
CREATE VIEW msip.orthophoto_latest AS
SELECT a.asset_id, a.kind, a.epoch, a.path, a.is_mosaic, a.resolution_m, a.band_count,
       a.band_descriptions, a.dtype, a.nodata, a.footprint, a.rast
FROM msip.raster_asset a
WHERE a.kind IN ('orthophoto', 'ndvi', 'brightness', 'orthophoto_rgb')
  AND a.epoch = (SELECT max(b.epoch) FROM msip.raster_asset b WHERE b.kind = a.kind);
COMMENT ON VIEW msip.orthophoto_latest IS
    'Rasters of the latest orthophoto epoch: tiles and mosaics of orthophoto, ndvi, brightness, orthophoto_rgb (pl: najnowsza ortofotomapa)';
COMMENT ON COLUMN msip.orthophoto_latest.kind IS 'orthophoto (R,G,B,NIR), ndvi (NDVI x 10000, int16), brightness (luminance 1-255), orthophoto_rgb (JPEG display copy) (pl: rodzaj rastra)';
COMMENT ON COLUMN msip.orthophoto_latest.is_mosaic IS 'true: the per-epoch mosaic VRT over all tiles (pl: mozaika całej epoki)';
COMMENT ON COLUMN msip.orthophoto_latest.rast IS 'Out-db raster: ST_Value(rast, band, point) samples the COG (pl: raster poza bazą)';
