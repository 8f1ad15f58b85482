"""`python -m modelwire.cli`: the `modelwire` command."""

import sys

from . import main

sys.exit(main())
