from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_shipped_catalogue(sender, *, using="default", verbosity=1, plan=None, **kwargs):
    """After ``migrate``: make sure the shipped criteria sets exist (creates only what is missing), and that the
    stored at-risk judgement (criteria/risk.py) was made with the thresholds as they now stand.

    The one allowed receiver in this app (STYLE.md C12). Skipped while criteria's own migrations are not all
    applied (e.g. ``migrate criteria zero``), since the loader uses the current models.
    """
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from .services.catalogue import catalogue_load_shipped

    executor = MigrationExecutor(connections[using])
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] == sender.label]
    if not targets or executor.migration_plan(targets):
        return
    results = catalogue_load_shipped(only_missing=True)
    from . import risk

    if risk.refresh_if_stale() and verbosity >= 2:  # the stored at-risk judgement follows the inputs
        print("  at-risk values re-judged")  # noqa: T201
    if verbosity >= 2:
        for result in results:
            print(f"  criteria set {result.criteria_set.code}: {result.created_indicators} indicators created")  # noqa: T201


class CriteriaConfig(AppConfig):
    name = "criteria"
    verbose_name = _("Bộ tiêu chí và đánh giá")

    def ready(self):
        post_migrate.connect(load_shipped_catalogue, sender=self, dispatch_uid="criteria.load_shipped_catalogue")
