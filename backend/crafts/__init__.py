"""The crafts a brand works with (embroidery, batik, bamboo weaving…), its own list."""

from backend.crafts.service import (
    add_default_crafts,
    craft_codes_by_name,
    craft_key,
    create_craft,
    list_crafts,
    require_crafts,
    update_craft,
)

__all__ = [
    "add_default_crafts",
    "craft_codes_by_name",
    "craft_key",
    "create_craft",
    "list_crafts",
    "require_crafts",
    "update_craft",
]
