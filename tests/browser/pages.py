"""What the page tests of the browser share: the two screens they look at pages on, and where
their screenshots go for a person to look at."""

import os
from pathlib import Path

from django.conf import settings

# A desktop, and a phone of the most common size (390 by 844 CSS pixels).
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def screenshots_dir(name: str, variable: str) -> Path:
    """Return test-results/<name>/ below the environment's `variable` folder, or the project's."""
    root = os.environ.get(variable) or Path(settings.BASE_DIR) / "test-results"
    return Path(root) / name
