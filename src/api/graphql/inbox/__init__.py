"""The inbox (新建 / 待办 / 已办): tasks from the inbox view, each with its case."""

from xuke.api.graphql.inbox.queries import InboxQueries

__all__ = ["InboxQueries"]
