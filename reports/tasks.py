"""Celery tasks of reports: thin, take ids, safe to run twice (STYLE C8).

Every task here runs on the report worker's queue ("reports", see CELERY_TASK_ROUTES). ``render_report``
has its own soft and hard time limits (CELERY_TASK_ANNOTATIONS), beats while it renders
(``reports.heartbeat``), is acknowledged late and rejected back to the queue when its worker dies; a
message takes a RUNNING report over only once its render's heartbeat stopped. The sweep runs inside each
report worker (``reports.sweeper``); ``sweep_reports`` is the same sweep on demand. Beat runs
``create_scheduled_reports`` hourly.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import services
from .heartbeat import Heartbeat

logger = logging.getLogger(__name__)


def transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth a retry: the database, Redis or the storage briefly unavailable. Never bad data."""
    from django.db import InterfaceError
    from django.db import OperationalError as DatabaseOperationalError

    return (DatabaseOperationalError, InterfaceError, *services.broker_errors())


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def render_report(self, report_id: int) -> str:
    """Claim report ``report_id`` and render it; "done", "failed", "retry" or "skipped" (nothing to do)."""
    report = services.report_claim(report_id=report_id, task_id=self.request.id or "")
    if report is None:
        return "skipped"
    try:
        with override("vi"):
            if self.request.is_eager:
                services.report_render(report=report)
            else:
                with Heartbeat(report):
                    services.report_render(report=report)
    except SoftTimeLimitExceeded:
        with override("vi"):
            message = _("Quá thời gian dựng báo cáo (%(seconds)d giây).") % {
                "seconds": settings.REPORTS_RENDER_SOFT_TIME_LIMIT
            }
        services.report_fail(report=report, error=message)
        return "failed"
    except transient_errors() as exc:
        if report.attempts >= settings.REPORTS_MAX_ATTEMPTS:
            logger.error("report %s: transient error on the last attempt: %s", report_id, exc)
            services.report_fail(report=report, error=_error_text(exc))
            return "failed"
        logger.warning("report %s: transient error, retrying: %s", report_id, exc)
        services.report_release(report=report, error=_error_text(exc))
        if self.request.is_eager:
            # In-process (no broker): retry right away; the attempts bound ends the recursion.
            return render_report.apply(args=[report_id]).get()
        raise self.retry(exc=exc, countdown=min(2 ** report.attempts, 8)) from exc
    except Exception as exc:
        logger.exception("report %s: render failed", report_id)
        services.report_fail(report=report, error=_error_text(exc))
        return "failed"
    return "done"


@shared_task(acks_late=True)
def sweep_reports() -> dict:
    """The sweep on demand (report workers also run it every REPORTS_SWEEP_SECONDS): re-dispatch reports no
    live render holds, fail dead renders out of attempts."""
    result = services.reports_sweep()
    return {"redispatched": result.redispatched, "failed": result.failed, "broker_down": result.broker_down}


@shared_task(acks_late=True)
def create_scheduled_reports() -> list[int]:
    """Beat, hourly: create the province reports due by REPORTS_SCHEDULE (idempotent per period)."""
    return [report.pk for report in services.reports_create_scheduled()]
