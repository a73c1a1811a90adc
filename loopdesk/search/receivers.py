"""The index follows every ticket write, in the writer's transaction (a derived copy, like a cache)."""

from __future__ import annotations


def on_tickets_written(sender, ticket_ids: list[int], **kwargs) -> None:
    from loopdesk.search.services import index_tickets

    index_tickets(ticket_ids)
