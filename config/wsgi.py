import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Start-up guard: NTM_PROVINCE_CODE, if set, must agree with the province the database serves.
from communes.served import ensure_environment_agrees  # noqa: E402

ensure_environment_agrees()

# The application is loaded: freeze what start-up allocated and collect less often (config/runtime.py).
from config import runtime  # noqa: E402

runtime.tune()
