"""Where the browser tests find Chromium (tests/test_browser.py, tests/test_lab.py)."""
import os
import shutil


def find_chromium():
    """The first executable of $CHROMIUM, /usr/bin/chromium, chromium, chromium-browser; or None."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None
