"""Quick looks at the demo district's World before a full build: its forest stand through the LiDAR detector
(`forest_stand`) and its heat and canopy numbers (`proxy`)."""
