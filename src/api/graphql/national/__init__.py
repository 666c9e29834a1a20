"""The national level (docs/exchange-federation.md): what this instance received from the
provinces it follows or imports from — the national register and supervision by province —
for SUPERVISOR, AUDITOR and ADMIN, inside their jurisdiction. Additions to the v2 contract."""

from xuke.api.graphql.national.queries import NationalQueries

__all__ = ["NationalQueries"]
