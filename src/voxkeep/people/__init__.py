"""People (data subjects) and staff: invitations, passwords, sessions, roles (docs/people.md)."""
