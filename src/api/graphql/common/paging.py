"""Paging: every list the API serves is a page of a view, asked for by ``first`` and ``after``.
The cursors are the views' own (``xuke.projections.paging`` encodes and decodes them); here a
page becomes GraphQL's edges and ``PageInfo``, and a cursor the API did not make is bad input,
not a fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from xuke.api.context import Context
from xuke.api.graphql.common.errors import bad_input
from xuke.projections.paging import Page
from xuke.projections.store import Row

E = TypeVar("E")
N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


async def fetch_page(ctx: Context, query: Callable[..., Page[Row]], *args: Any) -> Page[Row]:
    """Run a view's page query in the thread pool; a cursor it refuses is the caller's error."""
    try:
        return await ctx.run(query, *args)
    except ValueError as e:
        raise bad_input(str(e)) from None


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)


def edges(page: Page[Row], edge: Callable[..., E], node: Callable[[Row], N]) -> list[E]:
    """The page's rows as ``edge(node=…, cursor=…)``, each with its own cursor."""
    return [edge(node=node(r), cursor=c) for r, c in zip(page.items, page.cursors, strict=True)]


@strawberry.type
class Connection(Generic[N]):
    """A page that lists its nodes, named after them: ``Connection[Complaint]`` is served as
    ``ComplaintConnection``."""

    nodes: list[N]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[Row], node: Callable[[Row], N]) -> Connection[N]:
        return cls(
            nodes=[node(r) for r in page.items],
            page_info=page_info(page),
            total_count=page.total_count,
        )
