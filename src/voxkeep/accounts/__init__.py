"""Accounts (data subjects), their devices and household members, and their data keys."""
