"""Prefect tasks: one module per stage, each a thin, retryable wrapper of qbo_sync.pipeline."""
