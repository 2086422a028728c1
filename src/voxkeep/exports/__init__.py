"""Answers to access and portability requests: the archive, its release gate and delivery."""
