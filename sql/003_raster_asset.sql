-- 003: the raster catalogue. Every COG MSIP writes (orthophoto tiles and mosaics, NDVI,
-- DTM/DSM/nDSM/CHM, analysis rasters) is one row, registered as an out-db PostGIS raster
-- so SQL can sample it (ST_Value(rast, band, point)).
CREATE TABLE msip.raster_asset (
    asset_id          bigserial PRIMARY KEY,
    kind              text NOT NULL,
    epoch             date,
    path              text NOT NULL,
    is_mosaic         boolean NOT NULL DEFAULT false,
    resolution_m      double precision NOT NULL CHECK (resolution_m > 0),
    width_px          integer NOT NULL,
    height_px         integer NOT NULL,
    band_count        integer NOT NULL,
    band_descriptions text[] NOT NULL,
    dtype             text NOT NULL,
    nodata            double precision,
    sha256            text,
    source_sha256     text,
    load_run_id       bigint REFERENCES msip.load_run,
    created_at        timestamptz NOT NULL DEFAULT now(),
    footprint         geometry(Polygon, 2180) NOT NULL,
    rast              raster,
    UNIQUE (kind, epoch, path)
);
COMMENT ON TABLE msip.raster_asset IS 'Catalogue of Cloud-Optimised GeoTIFFs in the raster store (pl: katalog rastrów)';
COMMENT ON COLUMN msip.raster_asset.kind IS 'orthophoto, ndvi, brightness, dtm, dsm, ndsm, chm, or an analysis output';
COMMENT ON COLUMN msip.raster_asset.path IS 'Path of the COG (or mosaic VRT) in $MSIP_DATA_DIR';
COMMENT ON COLUMN msip.raster_asset.resolution_m IS 'Pixel size in metres';
COMMENT ON COLUMN msip.raster_asset.footprint IS 'Extent of the raster, EPSG:2180';
COMMENT ON COLUMN msip.raster_asset.rast IS 'Out-db PostGIS raster pointing at the COG';
CREATE INDEX raster_asset_footprint_idx ON msip.raster_asset USING gist (footprint);
CREATE INDEX raster_asset_kind_epoch_idx ON msip.raster_asset (kind, epoch);
