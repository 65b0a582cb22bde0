"""Sections this app contributes to the commune page and the dashboard (see settings)."""

from accounts.scope import is_reader

from .selectors import task_summary

DASHBOARD_LIST_LIMIT = 10


def commune_section(request, *, commune):
    return None


def dashboard_block(request, *, on):
    """Overdue tasks and tasks due in the next 14 days as they stood on the dashboard's cut-off ``on``
    (``selectors.task_summary``), for any signed-in user.

    Three queries whatever the number of tasks; each list shows at most 10 tasks and links to the board.
    """
    if not is_reader(request.user):
        return None
    summary = task_summary(today=on, limit=DASHBOARD_LIST_LIMIT)
    return {
        "template": "directives/_dashboard_block.html",
        "context": {
            "summary": summary,
            "more_overdue": max(summary.overdue - len(summary.overdue_tasks), 0),
            "more_due_soon": max(summary.due_next_14_days - len(summary.due_soon_tasks), 0),
        },
    }
