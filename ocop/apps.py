from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_product_groups(sender, using="default", **kwargs):
    """After ``migrate`` (and test-database flushes) the product groups of the reference exist (STYLE C12)."""
    from django.db import connections

    from .models import ProductGroup

    if ProductGroup._meta.db_table not in connections[using].introspection.table_names():
        return
    from .services import product_groups_load

    product_groups_load()


class OcopConfig(AppConfig):
    name = "ocop"
    verbose_name = _("OCOP")

    def ready(self):
        post_migrate.connect(load_product_groups, sender=self, dispatch_uid="ocop.load_product_groups")
        from communes.signals import units_reformed

        from .receivers import units_reformed as move_by_lineage

        units_reformed.connect(move_by_lineage, dispatch_uid="ocop.move_by_lineage")
