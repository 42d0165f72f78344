"""`python -m ai_clearance`."""

from .entry import main

raise SystemExit(main())
