"""``python -m marcmap``: the command line."""

from marcmap.cli import main

raise SystemExit(main())
