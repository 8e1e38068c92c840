"""Venues and their seat maps (models live in domain/events/models.py)."""
