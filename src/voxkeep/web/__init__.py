"""The HTTP layer's shared parts: dependencies, error bodies, multipart parsing."""
