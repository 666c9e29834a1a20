"""What needs no login: the public status page's query (办事进度) and the licence register
(公示, Art. 40). No personal data crosses this boundary."""

from xuke.api.graphql.public.queries import PublicQueries

__all__ = ["PublicQueries"]
