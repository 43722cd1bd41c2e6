"""`python -m bench [--tiers S,M,L] [--databases sqlite,postgresql] [--quick]`: see bench.run."""

import sys

from bench.run import main

sys.exit(main())
