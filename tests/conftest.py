"""Shared pytest set-up for tests/."""
import os

from hypothesis import HealthCheck, settings

# Property-based tests run reproducibly: the "ci" profile (the default) derandomizes
# hypothesis (examples derived from each test's name, no example database), so two runs
# draw the same examples on any machine. HYPOTHESIS_PROFILE=dev draws fresh random examples,
# HYPOTHESIS_PROFILE=thorough many more (60 per test).
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=12,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "dev", deadline=None, print_blob=True, max_examples=12,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "thorough", deadline=None, print_blob=True, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "built_book: reads the built book in _build/html (run after the build; "
        "`make test` runs these last, the library tests deselect them)")
