"""gunicorn settings for a 2-core machine: `gunicorn -c gunicorn.conf.py wsgi:app`.

Threads (gthread) let a worker wait for Redis and for WeChat's concurrent
retries without blocking the others; several processes use both cores for
question matching. With REDIS_URL unset, the master process starts the
embedded Redis before forking so every worker joins the same server.

preload_app: the master builds the app once (imports, jieba's dictionary, the
FAQ index) and the workers are forked from it, so they share that memory and a
worker recycled by max_requests is ready at once instead of spending seconds of
CPU rebuilding the index while the others serve. Nothing the app holds across a
fork is unsafe: redis-py's pools reconnect in a new process, Prometheus'
multiprocess values reopen their files per pid, no thread is started at load.
Code changes need a restart (not a HUP) to take effect.
"""
import os
from pathlib import Path

bind = os.environ.get("PUFA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PUFA_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("PUFA_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = None  # the app logs each message as JSON, without personal data
errorlog = "-"
limit_request_line = 4094
preload_app = True

INSTANCE = Path(os.environ.get("PUFA_INSTANCE_PATH") or Path(__file__).resolve().parent / "instance")

# Prometheus counts from every worker, summed at /metrics.
_metrics_dir = INSTANCE / "prometheus"
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_metrics_dir))
# The preloaded app defines its metrics before on_starting runs: the directory must exist.
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_starting(server):
    import shutil

    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    if not os.environ.get("REDIS_URL"):
        from bot.store import embedded_db_path, start_embedded

        server.pufa_redis = start_embedded(embedded_db_path(INSTANCE))
        server.log.info("embedded Redis ready for the workers (data under instance/redis/)")


def when_ready(server):
    # Objects of the preloaded app are never collected: keep the collector from
    # touching (and so copying) their memory pages in every worker.
    import gc

    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
