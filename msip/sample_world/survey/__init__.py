"""What the simulated surveys see of the world, one 200 m tile at a time: the land-cover scene,
orthophoto radiometry and the airborne laser scan (with its LAZ writer)."""
