"""`python -m ai_clearance.catalog`: regenerate catalog.json from catalog.toml."""

from ai_clearance.catalog.rules import write_json_catalog

write_json_catalog()
