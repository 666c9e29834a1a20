"""The public pages' templates: one Jinja2 environment, autoescape always on.

``templates/layout.html`` is the shared layout (Chinese, phone-readable, no external requests);
a page extends it and fills ``title``, ``content`` (and optionally ``head``, ``nav_extra``,
``scripts``). ``render(name, **context)`` gives the HTML string; serve it with
``xuke.api.pages.PageResponse`` so the security headers come along. ``templates`` is the same
environment wrapped for FastAPI (``templates.TemplateResponse``) for pages that prefer it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # every template, whatever its extension
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)

templates = Jinja2Templates(env=environment)


def render(name: str, /, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` (user text escaped)."""
    return environment.get_template(name).render(**context)
