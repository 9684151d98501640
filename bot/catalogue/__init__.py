"""The player and club catalogue: seed loading, folding, and the alias matcher."""

from bot.catalogue.matcher import Matcher
from bot.catalogue.model import Catalogue, Collision, Person
from bot.catalogue.normalize import fold, norm, slug
from bot.catalogue.seeds import load_catalogue

__all__ = ["Catalogue", "Collision", "Matcher", "Person", "fold", "load_catalogue", "norm", "slug"]
