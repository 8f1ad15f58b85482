"""Placeholder: this family's batch flow is being written."""

__all__: list[str] = []
