"""``python -m bench``: the benchmark, with the settings ``bench/run`` chose (bench.settings)."""

import sys

import django

django.setup()

from bench.measure import main  # noqa: E402  (models load only after django.setup())

sys.exit(main())
