"""Scripts and styles served from the package (``src/api/static/``, see its README): the pages
and GraphiQL must work on an intranet with no internet, so nothing is fetched from a CDN.

``offline_graphiql`` turns Strawberry's GraphiQL page into one that loads the same files (the
same versions, checked by the same subresource-integrity hashes) from ``/static/graphiql/``.
Files are cached for a day by browsers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static"

# Strawberry's GraphiQL page (strawberry/static/graphiql.html) → our copies of the same files.
GRAPHIQL_FILES = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}  # fmt: skip


class OfflineAssetsMissing(RuntimeError):
    """Strawberry's page names a file we do not carry (Strawberry was upgraded): refresh
    ``src/api/static/graphiql/`` as its README says rather than serve a page that hangs."""


def offline_graphiql(html: str) -> str:
    for remote, local in GRAPHIQL_FILES.items():
        html = html.replace(remote, f"{STATIC_URL}/graphiql/{local}")
    if "https://unpkg.com/" in html or "https://cdn." in html:
        raise OfflineAssetsMissing("GraphiQL page refers to files not vendored in src/api/static")
    return html


class CachedStaticFiles(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def mount_static(app: FastAPI) -> None:
    app.mount(STATIC_URL, CachedStaticFiles(directory=STATIC_DIR), name="static")
