"""Point clouds (issue #20), measured: what the COPC costs on top of the LiDAR load (`copc_cost`) and the
3D viewer's time to first view of a served MSIP (`viewer3d_first_view`)."""
