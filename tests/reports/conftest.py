"""Reports test setup: a fixture province with known figures, eager or real Celery, PDF text extraction.

- Tests run the render in-process (Celery eager) unless marked ``worker``; those start real
  ``celery worker`` processes against REDIS_URL and the test database (skipped only when REDIS_URL is
  unset), with the default timings of the settings (heartbeat, sweep, limits), on the reports queue only
  unless a test asks for more (the small deployment: web + report worker, no default worker, no beat).
- ``report_province``: seven xã with scores 19, 14, 12, 9, 4 (district A) and 17, 8 (district B): average
  83/7 = 11,86 → "11,9"; one xã at 19; one below 5. Four OCOP products (three 3-star, one 4-star; one
  expiring within 90 days). Three tasks: done, in progress, overdue.
"""

import datetime
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import current_app
from django.db import connection
from django.utils import timezone

from communes.models import Level, Recognition
from criteria.models import (
    Assessment,
    AssessmentStatus,
    CriteriaSet,
    CriterionResult,
    CriterionStatus,
    ResultRecord,
)
from directives.models import Document, DocumentKind, Task, TaskStatus
from ocop import rules
from ocop import services as ocop_services
from ocop.models import ProductGroup
from tests.conftest import add_communes

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
# The workers under test keep every timing of the settings (no CELERY_*/REPORTS_* overrides).
WORKER_ENV = {"DB_CONN_MAX_AGE": "0"}
PERIOD = "2021-H1"
# The period's closing date (30/06/2021 + 60 days): a 2021-H1 report is as of this day, so the fixture's
# approvals, decisions, certificates and deadlines are dated around it.
CUT_OFF = datetime.date(2021, 8, 29)
SCORES_A = [19, 14, 12, 9, 4]
SCORES_B = [17, 8]


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    """In-process (eager) rendering, except for ``worker`` tests, which talk to a real worker."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    conf = current_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    conf.task_always_eager = saved


def _reset_producer_pools():
    # Celery caches its broker connection pools; drop them so the next publish uses the current URL.
    current_app._pool = None
    current_app.amqp._producer_pool = None


@contextmanager
def broker_unreachable():
    """Publishing goes to a Redis port nobody listens on (connection refused), as when the broker is down."""
    conf = current_app.conf
    saved = (conf.broker_write_url, conf.task_always_eager)
    conf.broker_write_url = "redis://127.0.0.1:1/0"
    conf.task_always_eager = False
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.broker_write_url, conf.task_always_eager = saved
        _reset_producer_pools()


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    """The PDF's text as pdftotext (poppler) extracts it."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode("utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_fonts(data: bytes) -> list[dict]:
    """Fonts of the PDF (pypdf): base name and whether the font file is embedded."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont"))] = {"name": str(font.get("/BaseFont")), "embedded": embedded,
                                                 "unicode": "/ToUnicode" in font}
    return list(fonts.values())


@dataclass
class ReportProvince:
    units: object
    criteria_set: CriteriaSet
    communes_a: list
    communes_b: list
    products: list
    tasks: dict


def _assess(commune, criteria_set, criteria, score, status=AssessmentStatus.APPROVED):
    """An assessment with its criterion results and the result record the service writes (from 15/07/2021)."""
    assessment = Assessment.objects.create(
        commune=commune, period=PERIOD, criteria_set=criteria_set, status=status, met_count=score
    )
    CriterionResult.objects.bulk_create(
        CriterionResult(
            assessment=assessment, criterion=criterion, number=criterion.number, is_met=criterion.number <= score,
            status=CriterionStatus.MET if criterion.number <= score else CriterionStatus.NOT_MET,
        )
        for criterion in criteria
    )
    ResultRecord.objects.create(
        assessment=assessment, commune=commune, period=PERIOD, criteria_set=criteria_set, status=status,
        valid_from=timezone.make_aware(datetime.datetime(2021, 7, 15, 10)), met_count=score,
        met_mask=sum(1 << criterion.number for criterion in criteria if criterion.number <= score), version=1,
    )
    return assessment


@pytest.fixture
def report_province(units, cast, agency) -> ReportProvince:
    criteria_set = CriteriaSet.objects.get(code="2016-2020")
    criteria = list(criteria_set.criteria.order_by("number"))
    assert len(criteria) == 19
    communes_a = [units.communes_a[1], *add_communes(units.district_a, 4, start=10)]
    communes_b = list(units.communes_b)
    for commune, score in [*zip(communes_a, SCORES_A, strict=True), *zip(communes_b, SCORES_B, strict=True)]:
        _assess(commune, criteria_set, criteria, score)
    # A submitted assessment is not counted (the township is not a xã and is never counted either).
    _assess(units.communes_a[0], criteria_set, criteria, 2, status=AssessmentStatus.SUBMITTED)
    for commune, level in ((communes_a[0], Level.STANDARD), (communes_b[0], Level.BASIC)):
        Recognition.objects.create(
            commune=commune, level=level, decision_number="1358/QĐ-UBND", decision_date=datetime.date(2021, 7, 29),
        )
        commune.level = level
        commune.save(update_fields=["level"])

    today = CUT_OFF
    group = ProductGroup.objects.get(regime=rules.REGIME_148, code="I.2.a")
    products = []
    for index, (commune, score, day) in enumerate([
        (communes_a[0], "60", today - datetime.timedelta(days=10)),
        (communes_a[1], "62", today - datetime.timedelta(days=20)),
        (communes_b[0], "75", today - datetime.timedelta(days=30)),
        (communes_b[1], "55", rules.add_months(today, -35)),  # certificate expires in about a month
    ]):
        producer = ocop_services.producer_create(by=cast.staff, name=f"HTX Thử {index}", kind="htx", commune=commune)
        product = ocop_services.product_create(
            by=cast.staff, name=f"Chè Shan tuyết thử {index}", group=group, producer=producer, commune=commune
        )
        ocop_services.rating_record(
            product=product, by=cast.staff, score=Decimal(score), level="province",
            decision_number=f"{index + 1}/QĐ-UBND", decision_date=day,
        )
        products.append(product)

    notice = Document.objects.create(
        number="63/TB-UBND", kind=DocumentKind.THONG_BAO, date=datetime.date(2021, 8, 16), issuer="UBND tỉnh",
        title="Kết luận tại Hội nghị đánh giá 6 tháng đầu năm 2021",
    )
    tasks = {
        "done": Task.objects.create(document=notice, lead_agency=agency, content="Ban hành Kế hoạch phát triển sản phẩm OCOP",
                                    due_date=today - datetime.timedelta(days=40), status=TaskStatus.DONE),
        "in_progress": Task.objects.create(document=notice, lead_agency=agency, content="Rà soát tiêu chí nhà ở dân cư",
                                           due_date=today + datetime.timedelta(days=30), status=TaskStatus.IN_PROGRESS),
        "overdue": Task.objects.create(document=notice, lead_agency=agency, content="Tổ chức hội nghị OCOP cấp huyện",
                                       due_date=today - datetime.timedelta(days=1), status=TaskStatus.NOT_STARTED),
    }
    return ReportProvince(units, criteria_set, communes_a, communes_b, products, tasks)


# --- a real worker ---------------------------------------------------------------------------------------


def _database_url() -> str:
    settings_dict = connection.settings_dict
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def wait_until(check, *, timeout: float, interval: float = 0.1):
    """Call ``check`` until it returns something truthy; that value, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    return None


class WorkerProcess:
    """A ``celery worker`` process (own process group), by default the project's app on the "reports" queue."""

    def __init__(self, *, env: dict, log_dir: Path, app: str = "config", queues: str = "reports"):
        self.env = env
        self.log_dir = log_dir
        self.app = app
        self.queues = queues
        self.process = None
        self.log_path = None

    def start(self, *, timeout: float = 40) -> "WorkerProcess":
        name = f"reports-test-{uuid.uuid4().hex[:8]}@%h"
        self.log_path = self.log_dir / f"worker-{time.monotonic_ns()}.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", self.app, "worker", "-Q", self.queues, "-c", "1",
             "--pool", "prefork", "-n", name, "--without-gossip", "--without-mingle", "-l", "INFO"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        if not wait_until(lambda: b" ready." in self.log_path.read_bytes() or self.process.poll() is not None,
                          timeout=timeout, interval=0.2) or self.process.poll() is not None:
            raise RuntimeError(f"celery worker did not start:\n{self.log()}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _purge_queues(redis_url: str = "") -> None:
    """Empty this Redis database's Celery queues and unacknowledged messages left by earlier runs."""
    import redis

    client = redis.Redis.from_url(redis_url or REDIS_URL)
    client.delete("reports", "default", "unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    """``celery_worker.start()`` runs a real worker against REDIS_URL and this test's database.

    The worker is a separate process, so the test data must be committed (transactional_db) and the
    worker must open the same (PostgreSQL) test database; it writes files under this test's MEDIA_ROOT.
    ``start(app=…, queues=…, env=…)`` picks another app module (tests/reports/slow_app.py), other queues,
    more environment; ``use_redis(url)`` points this test's publishing and later workers at another Redis.
    """
    if not REDIS_URL:
        pytest.skip("needs REDIS_URL (CI sets it): a real Celery worker")
    if connection.vendor != "postgresql":
        pytest.fail("worker tests need a database a second process can open: set DATABASE_URL to PostgreSQL")
    conf = current_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_write_url, conf.broker_read_url)
    conf.task_always_eager = False
    _purge_queues()
    _reset_producer_pools()
    env = {**os.environ, **WORKER_ENV, "DATABASE_URL": _database_url(), "REDIS_URL": REDIS_URL,
           "MEDIA_ROOT": str(settings.MEDIA_ROOT), "PYTHONPATH": str(ROOT)}
    workers: list[WorkerProcess] = []

    class Factory:
        redis_url = REDIS_URL

        def start(self, *, app: str = "config", queues: str = "reports", **extra_env) -> WorkerProcess:
            worker = WorkerProcess(env={**env, "REDIS_URL": self.redis_url, **extra_env}, log_dir=tmp_path, app=app,
                                   queues=queues)
            workers.append(worker)
            return worker.start()

        def use_redis(self, url: str) -> None:
            self.redis_url = url
            conf.broker_url = conf.broker_write_url = conf.broker_read_url = url
            _reset_producer_pools()

        def logs(self) -> str:
            return "\n".join(worker.log() for worker in workers)

    yield Factory()
    for worker in workers:
        worker.stop()
    conf.task_always_eager, conf.broker_url, conf.broker_write_url, conf.broker_read_url = saved
    _reset_producer_pools()
    _purge_queues()


class RedisServer:
    """A redis-server of this test's own, on a free port, started and stopped by the test (no persistence:
    a restart loses its queues, as a broker without a disk would)."""

    def __init__(self, tmp_path: Path):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        if not wait_until(answers, timeout=10):
            raise RuntimeError("redis-server did not start")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (CI installs it)")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()
