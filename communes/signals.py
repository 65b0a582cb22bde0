"""Signals about the map of units."""

import django.dispatch

# Sent inside the import's transaction, after a reform's lineage has been recorded.
# Keyword arguments: successions (list of CommuneSuccession rows created or confirmed),
# effective_date (datetime.date: the first day of the new map), decision (str: the legal decision, may be "").
units_reformed = django.dispatch.Signal()
