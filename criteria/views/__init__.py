"""Pages of the criteria app: the entry page and workflow (``assessment``), the catalogue (``catalogue``),
review lists and history (``lists``), the Excel round-trip (``excel``)."""
