"""Data protection: deleting personal data when its retention period ends (docs/privacy.md)."""
