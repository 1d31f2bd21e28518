"""Static files in development as in production: hashed names, compressed copies, long caching.

`make run` collects the static files (whitenoise's CompressedManifestStaticFilesStorage writes
each under a name carrying its hash, with .gz and .br copies), and WhiteNoise serves a hashed
name with a cache lifetime of ten years and the compressed copy the browser accepts. Django
names files by their hash only when DEBUG is off; this storage does it in DEBUG too. A file
not collected yet (added since `make run` started, or `runserver` without `collectstatic`)
keeps its plain name, which WhiteNoise serves from the source folders (WHITENOISE_USE_FINDERS).
Compressing everything again took a minute of CPU at each `make run`: a file whose compressed
copies are already there (the compressor gives them the file's own modification time) is skipped.
"""

import os
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class DevelopmentStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names in DEBUG too, for the files collected; plain names for the others."""

    manifest_strict = False

    def url(self, name: Any, force: bool = False) -> str:
        """Return the hashed URL of a collected file, the plain URL of another."""
        if self.hashed_files.get(self.clean_name(name)) is None:
            # Not collected: the plain name, with DEBUG off too (a benchmark, a quick `runserver`).
            return StaticFilesStorage.url(self, name)
        return super().url(name, force=True)

    def compress_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        """Compress the files that changed since their compressed copies were made."""
        yield from super().compress_files([p for p in paths if not self._compressed(p)])

    def _compressed(self, name: str) -> bool:
        path = self.path(name)
        try:
            modified = os.stat(path).st_mtime
            # Set through a float, the copies' times can differ from the file's in the last digits.
            return all(
                abs(os.stat(path + suffix).st_mtime - modified) < 0.01 for suffix in (".gz", ".br")
            )
        except OSError:
            return False
