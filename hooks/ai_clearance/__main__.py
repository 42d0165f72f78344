"""`python -m ai_clearance`."""

from ai_clearance.cli.main import main

raise SystemExit(main())
