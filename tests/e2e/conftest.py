"""Fixtures for end-to-end tests against the fake Discord."""

from tests.fakediscord.fixtures import fake_discord

__all__ = ["fake_discord"]
