"""Recordings: validating, storing and serving uploaded voice-assistant audio."""
