"""Ingestion tokens for the operator's backend."""
