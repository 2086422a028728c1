"""The console's dashboard: charts of requests.stats and retention.stats (pages only)."""
