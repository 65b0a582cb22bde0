"""System check: NTM_PROVINCE_CODE, if set, must name the province the database serves (communes.served).

Registered in ``CommunesConfig.ready``; ``runserver``, ``migrate`` and every command that runs the checks stop
with this error. gunicorn and Celery start without running the checks: ``config.wsgi`` and ``config.celery``
call ``served.ensure_environment_agrees`` themselves.
"""

from django.core.checks import Error, register


@register()
def served_province_agrees(app_configs=None, **kwargs):
    from . import served

    message = served.environment_mismatch()
    if message is None:
        return []
    return [Error(message, hint=None, id="communes.E001")]
