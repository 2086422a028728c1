"""Retention: choices, expiry, the sweeper, deletion and erasure."""
