"""The console's staff management pages over people.staff and people.staff_admin (pages only)."""
