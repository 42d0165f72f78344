"""`python -m ai_clearance`."""

from ai_clearance.cli.entry import main

raise SystemExit(main())
