"""Redzone."""
