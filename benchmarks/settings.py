"""Settings of the gunicorn that the concurrency floor is measured on: the application's own settings with the
benchmark's URLconf (benchmarks/urls.py: the application's URLs plus the bare floor page). Only
benchmarks/timing.py starts a server with it; deployments run config.settings, whose URLconf never has the floor."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
