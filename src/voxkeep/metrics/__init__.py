"""Prometheus metrics: what the fleet's database says, and what this process counted.

``fleet`` computes its values from the database at scrape time, so every node
reports the same and the number of processes does not matter; ``process``
holds the counters only a process can see (uploads, HTTP errors), summed over
the processes of one `voxkeep serve --workers N` by prometheus-client's
multiprocess mode. ``api`` serves both at ``GET /metrics`` behind a token.
"""
