"""Mercato: the Discord-free core of the football transfer-rumour bot."""

from bot import native

__version__ = "0.1.0"

native.guard()  # before anything imports a compiled module: a stale build never runs (bot/native.py)
