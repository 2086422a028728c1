"""The HTTP API under /api/v1 for the operator's backend."""
