"""`python -m ai_clearance`."""

from .cli import main

raise SystemExit(main())
