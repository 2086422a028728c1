"""voxkeep: a vault for voice-assistant recordings that answers data-protection requests."""

__version__ = "0.1.0"
