"""`python -m devtools.bench`: see `devtools.bench.run`."""

import sys

from .run import main

sys.exit(main())
