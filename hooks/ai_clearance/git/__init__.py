"""The edge to git: every git process the check starts, and what its output says (commit
objects, trees, refs). Nothing here decides anything."""
