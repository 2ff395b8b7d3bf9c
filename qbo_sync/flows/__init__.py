"""Prefect flows: the sync and the retry of failed records. Flow-run history is the sync log."""
