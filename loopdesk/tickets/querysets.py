"""Ticket filters; `visible_to(user)` is the one gate every view, API call and export starts from."""

from __future__ import annotations

from django.db import models


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user) -> TicketQuerySet:
        """All tickets for holders of view_all_tickets or members of a service-desk department;
        otherwise tickets they own, registered, or that belong to their department."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("tickets.view_all_tickets"):
            return self
        department = user.department
        if department is not None and department.sees_all_tickets:
            return self
        q = models.Q(owner=user) | models.Q(created_by=user) | models.Q(watchers=user)
        if department is not None:
            q |= models.Q(owner_department=department)
        return self.filter(pk__in=self.model._default_manager.filter(q).values("pk"))

    def open(self) -> TicketQuerySet:
        return self.exclude(status="closed")

    def due_before(self, moment) -> TicketQuerySet:
        return self.open().filter(due_at__lt=moment)
