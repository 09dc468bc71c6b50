"""The API's point-cloud routes: COPC files per LiDAR epoch, served with HTTP Range."""
