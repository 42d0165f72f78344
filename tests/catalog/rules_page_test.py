"""docs/rules.md is the catalog's, regenerated, with one anchor per rule."""

from __future__ import annotations

import re
from pathlib import Path

from ai_clearance.catalog.docs import rules_markdown
from ai_clearance.catalog.rules import load_catalog

ROOT = Path(__file__).resolve().parents[2]


def test_the_rules_page_is_the_catalogs() -> None:
    page = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert page == rules_markdown(load_catalog()), \
        "docs/rules.md is stale: run `python -m ai_clearance.catalog docs/rules.md`"


def test_every_rule_has_its_heading_once() -> None:
    catalog = load_catalog()
    headings = re.findall(r"^### (\S+)$", rules_markdown(catalog), re.M)
    assert headings == sorted(catalog.by_id)


def test_text_that_markdown_would_read_as_markup_is_shown_as_written() -> None:
    page = rules_markdown(load_catalog())
    prose = [line for line in page.splitlines() if not line.startswith("- **Paths")]
    assert not any(re.search(r"(?<!\\)<[a-z]", line) for line in prose)


def test_every_source_key_the_catalog_names_is_listed_in_the_sources_page() -> None:
    catalog = load_catalog()
    sources = " ".join([r.source for r in catalog.by_id.values()]
                       + [a.source for a in catalog.assistants.values()])
    keys = set(re.findall(r"\bS-[A-Z0-9][A-Z0-9-]*[A-Z0-9]\b", sources))
    page = (ROOT / "docs" / "sources.md").read_text("utf-8")
    listed = {key.strip() for heading in re.findall(r"^## (.+)$", page, re.M)
              for key in heading.split(" / ")}
    assert keys and keys <= listed, sorted(keys - listed)
