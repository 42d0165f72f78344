"""`python -m ai_clearance.catalog [docs/rules.md]`: regenerate catalog.json from
catalog.toml, and the rules page when given its path."""

import sys

from ai_clearance.catalog.docs import rules_markdown
from ai_clearance.catalog.rules import load_catalog, write_json_catalog

write_json_catalog()
if len(sys.argv) > 1:
    with open(sys.argv[1], "w", encoding="utf-8", newline="\n") as handle:
        handle.write(rules_markdown(load_catalog()))
