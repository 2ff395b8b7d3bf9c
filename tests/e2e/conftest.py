"""The end-to-end fixtures live in tests/fixtures.py, registered once for the whole session."""
