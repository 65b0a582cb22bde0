"""Writes for criteria: the catalogue (``catalogue``), assessments and their workflow (``assessments``),
the Excel exchange (``excel``). Views, the API, commands and the demo call only these."""
