"""Incidents (possible personal-data breaches): the minimal record; Art. 33(5) documents each."""
