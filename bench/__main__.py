"""``python -m bench``: the benchmark, with the settings ``bench/run`` chose (bench.settings)."""

import sys

import django

django.setup()

if sys.argv[1:] == ["throughput"]:
    from bench.throughput import main
else:
    from bench.measure import main

sys.exit(main())
