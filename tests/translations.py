"""A translation catalogue made for one test, so that no test depends on locale/ having it.

`arabic_catalogue(tmp_path, {msgid: msgstr})` compiles the messages (msgfmt, from gettext)
into tmp_path/ar/LC_MESSAGES/django.mo; put tmp_path first in LOCALE_PATHS (pytest-django's
`settings` fixture, whose change resets Django's translation caches) to use it.
"""

import subprocess
from pathlib import Path


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def arabic_catalogue(root: Path, messages: dict[str, str]) -> Path:
    """Compile the messages as the Arabic `django` domain under root; return root."""
    folder = root / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    body = "".join(f"msgid {_quoted(k)}\nmsgstr {_quoted(v)}\n\n" for k, v in messages.items())
    (folder / "django.po").write_text(header + body, encoding="utf-8")
    subprocess.run(  # noqa: S603
        ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")],  # noqa: S607
        check=True,
    )
    return root
