"""Exercise factories live in tests/factories_prioritise.py, shared with the browser tests."""
