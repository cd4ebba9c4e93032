"""A demonstration partnership: ``flask --app engage demo``."""

from engage.demo.cli import demo

__all__ = ["demo"]
