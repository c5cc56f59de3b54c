"""A forwarded item follows its grid problem: when the reporter confirms the department's fix, the item closes
with the department's resolution and whoever raised it is told."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from minping.grid.models import Problem


@receiver(post_save, sender=Problem, dispatch_uid="fieldwork.close_forwarded_items")
def close_forwarded_item(sender, instance: Problem, **kwargs):
    if instance.status == Problem.Status.CONFIRMED:
        from minping.fieldwork.actions import close_from_problem

        close_from_problem(instance)
