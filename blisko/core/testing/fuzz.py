"""Hypothesis settings for the fuzz and property tests (a pytest plugin, registered by the
root conftest.py).

Bounded so the whole of them stays well inside CI's time on either database: few examples
per test, no deadline (a first request warms caches), derandomized so a failure seen once is
seen again, and no example database written into the checkout. On CI (`CI` set) shrinking is
skipped: a failure is reported as found, which is enough to reproduce it, since runs are
derandomized. `HYPOTHESIS_PROFILE=blisko-deep` runs many more examples, by hand.
"""

import os

from hypothesis import HealthCheck, Phase, settings

# How many generated examples each operation or property gets.
MAX_EXAMPLES = 25

_COMMON = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": False,
    # The tests take pytest-django's database fixtures (one transaction per test, rolled back
    # at its end); every example runs in it, which is what they mean to do.
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
}

settings.register_profile("blisko", max_examples=MAX_EXAMPLES, **_COMMON)
settings.register_profile(
    "blisko-ci",
    max_examples=MAX_EXAMPLES,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    **_COMMON,
)
settings.register_profile("blisko-deep", max_examples=500, **_COMMON)

settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("blisko-ci" if os.environ.get("CI") else "blisko")
)
