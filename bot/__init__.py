"""Mercato: the Discord-free core of the football transfer-rumour bot."""

__version__ = "0.1.0"
