"""The record of processing activities (Art. 30), generated from the running settings."""
