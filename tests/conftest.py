"""Shared pytest set-up for tests/."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "built_book: reads the built book in _build/html (run after the build; "
        "`make test` runs these last, the library tests deselect them)")
