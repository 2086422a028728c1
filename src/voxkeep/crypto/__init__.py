"""Key hierarchy, authenticated encryption and signing."""
