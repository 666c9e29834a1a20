"""Licences after grant (v2, M13): the ``Licence`` type with its proceedings and history, the
``licence`` query, and the authority's and holder's acts on a licence."""

from xuke.api.graphql.licences.mutations import LicenceMutations
from xuke.api.graphql.licences.queries import LicenceQueries

__all__ = ["LicenceMutations", "LicenceQueries"]
