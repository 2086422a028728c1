"""Data-subject requests (GDPR Art. 15, 17, 20): deadlines, verification, state machine."""
