"""Symbology tables: patterns, parities, check characters and text conventions."""
