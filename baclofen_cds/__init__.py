"""Baclofen CDS: clinical decision support for oral baclofen."""

__version__ = "0.1.0"
