"""Demo data: synthesized voice-assistant clips for trying voxkeep out."""
