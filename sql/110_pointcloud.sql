-- 110: streamable point clouds. One COPC file (LAZ 1.4 with an octree hierarchy) per LiDAR
-- epoch, written from msip.lidar_patch by pipelines/pointcloud (after `msip load lidar`, or by
-- `msip load copc --epoch`) into $MSIP_DATA_DIR/pointclouds/<epoch>/. Each write is a
-- msip.load_run of kind 'lidar_copc' whose checksum names the patch load runs it was made from,
-- so a rewrite happens only when the epoch's points changed.

CREATE TABLE msip.pointcloud_asset (
    epoch          date PRIMARY KEY,
    format         text NOT NULL DEFAULT 'copc' CHECK (format IN ('copc')),
    path           text NOT NULL,
    point_count    bigint NOT NULL CHECK (point_count > 0),
    node_count     integer NOT NULL CHECK (node_count > 0),
    levels         integer NOT NULL CHECK (levels > 0),
    bytes          bigint NOT NULL CHECK (bytes > 0),
    z_min_m        double precision NOT NULL,
    z_max_m        double precision NOT NULL,
    source_runs    bigint[] NOT NULL,
    footprint      geometry(Polygon, 2180) NOT NULL,
    load_run_id    bigint NOT NULL REFERENCES msip.load_run,
    created_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE msip.pointcloud_asset IS 'Streamable point cloud (COPC) per LiDAR epoch (pl: chmura punktów do strumieniowania, COPC)';
COMMENT ON COLUMN msip.pointcloud_asset.epoch IS 'Survey date (pl: data nalotu)';
COMMENT ON COLUMN msip.pointcloud_asset.path IS 'Path of the .copc.laz file in $MSIP_DATA_DIR';
COMMENT ON COLUMN msip.pointcloud_asset.point_count IS 'Points in the file = SUM(PC_NumPoints(pa)) of the epoch in msip.lidar_patch';
COMMENT ON COLUMN msip.pointcloud_asset.node_count IS 'Octree nodes (one LAZ chunk each)';
COMMENT ON COLUMN msip.pointcloud_asset.levels IS 'Octree levels (level 0 = the coarsest copy of the cloud)';
COMMENT ON COLUMN msip.pointcloud_asset.bytes IS 'File size in bytes';
COMMENT ON COLUMN msip.pointcloud_asset.z_min_m IS 'Lowest point, m PL-EVRF2007-NH';
COMMENT ON COLUMN msip.pointcloud_asset.z_max_m IS 'Highest point, m PL-EVRF2007-NH';
COMMENT ON COLUMN msip.pointcloud_asset.source_runs IS 'load_run ids of the lidar files whose patches the file holds';
COMMENT ON COLUMN msip.pointcloud_asset.footprint IS 'Bounding box of the points, EPSG:2180';

-- What the API publishes: no local path.
CREATE VIEW msip.point_cloud_epoch AS
SELECT epoch, format, point_count, node_count, levels, bytes, z_min_m, z_max_m, created_at,
       'collections/point_clouds/copc/' || epoch || '.copc.laz' AS copc_href, footprint
FROM msip.pointcloud_asset;
COMMENT ON VIEW msip.point_cloud_epoch IS 'LiDAR point clouds per epoch, downloadable as COPC (pl: chmury punktów LiDAR według epok)';
COMMENT ON COLUMN msip.point_cloud_epoch.copc_href IS 'Where the API serves the COPC file, relative to the API root (GET with Range)';
