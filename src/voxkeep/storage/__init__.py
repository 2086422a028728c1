"""Blob stores: where ciphertext lives (a local directory now; S3-compatible later)."""
