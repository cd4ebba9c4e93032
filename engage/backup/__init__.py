"""Backups: a consistent copy of the database while Engage keeps running, and putting one back."""
