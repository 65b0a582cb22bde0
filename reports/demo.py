"""Demo reports: the 2021-H1 province report, created by the schedule as beat would on 1 July 2021."""

import datetime

from . import services


def load(stdout):
    created = services.reports_create_scheduled(today=datetime.date(2021, 7, 1), rules=["H1@07-01"])
    stdout.write(f"Báo cáo theo lịch: {len(created)} mới.")
