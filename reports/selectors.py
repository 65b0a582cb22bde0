"""Reads for reports: the history list, the province a report is about, the comparison with today's data."""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.scope import reports_visible_to
from communes.models import District, Province
from communes.served import served_province
from overview.selectors import default_period

from .models import Report


def home_province() -> Province:
    """The province this installation serves (communes.served.served_province: one rule, one place)."""
    return served_province()


def latest_period(province: Province | None = None) -> str | None:
    """The request form's default period: the frame's one rule (criteria.frame.default_period), or None."""
    return default_period(province=province or served_province())


def report_list(*, user, kind: str | None = None, period: str | None = None, status: str | None = None,
                district: District | None = None):
    """Reports the user may see, newest first, filtered; province, district and requester joined (one query)."""
    reports = reports_visible_to(user).for_listing()
    if kind:
        reports = reports.filter(kind=kind)
    if period:
        reports = reports.filter(period=period)
    if status:
        reports = reports.filter(status=status)
    if district is not None:
        reports = reports.filter(district=district)
    return reports.order_by("-created_at", "-id")


def report_pdf(*, report: Report, version: str = "current"):
    """The PDF to serve and its download name: ``"current"`` = the final document once rendered, else the
    draft; ``"draft"`` / ``"final"`` = that one. Http404 when it does not exist (yet)."""
    if version == "final" or (version == "current" and report.has_final_file):
        if not report.has_final_file:
            raise Http404(_("Báo cáo chưa có bản chính thức."))
        return report.final_file, report.download_name("pdf", final=True)
    if not report.file:
        raise Http404(_("Báo cáo chưa có tệp để tải về."))
    return report.file, report.download_name("pdf")


def report_unfinished_ids(*, user) -> list[int]:
    """Ids of the user's visible reports still queued or running (the list page polls while any is)."""
    return list(reports_visible_to(user).unfinished().values_list("pk", flat=True)[:50])


def report_tasks(*, today, district: District | None = None) -> list:
    """Directive tasks a report lists as they stood on ``today`` (the cut-off), earliest deadline first,
    ``status_as_of`` and ``is_overdue`` annotated (three queries): all of the province's given by then, or
    those concerning one district (directives' own rule)."""
    from directives.models import Task

    tasks = Task.objects.given_by(today)
    if district is not None:
        tasks = tasks.concerning_district(district)
    return list(tasks.for_listing().with_overdue(today).by_deadline())


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    then: object
    now: object

    @property
    def changed(self) -> bool:
        return str(self.then) != str(self.now)


def report_comparison(*, report: Report) -> list[ComparisonRow]:
    """The report's key figures (from its snapshot) next to the same figures computed from today's data."""
    from . import builders

    if not report.snapshot:
        return []
    then = builders.key_figures(report.snapshot)
    now = builders.key_figures_now(
        kind=report.kind, period=report.period, province=report.province, district=report.district
    )
    return [ComparisonRow(label=label, then=value, now=now.get(key, {}).get("value")) for key, (label, value) in (
        (key, (item["label"], item["value"])) for key, item in then.items()
    )]

