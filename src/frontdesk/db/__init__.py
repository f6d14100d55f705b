"""Persistence: the declarative base, column types, engine and unit of work."""
