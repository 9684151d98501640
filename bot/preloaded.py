"""Every language pack, loaded when this module is imported.

The reading processes' fork server imports it (``bot.reading``): each worker it forks then starts with
the packs, their patterns compiled, instead of loading them itself at its first item (about 0.1 s of
CPU per pack and worker, in the middle of a poll). It lives outside the compiled folders (bot/native.py):
a compiled package only finds the modules its own ``__init__`` imports.
"""

from __future__ import annotations

from bot.language.pack import load_languages

__all__ = ["LANGUAGES"]

LANGUAGES = load_languages()
