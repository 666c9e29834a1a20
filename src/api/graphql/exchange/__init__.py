"""Information exchange (v2, issue J): the ``exchangeFeed`` and the partners' webhooks
(docs/exchange.md)."""

from xuke.api.graphql.exchange.mutations import ExchangeMutations
from xuke.api.graphql.exchange.queries import ExchangeQueries

__all__ = ["ExchangeMutations", "ExchangeQueries"]
