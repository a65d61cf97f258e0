"""Prometheus metrics at /metrics: requests by type and outcome, answer
confidence bands, escalations, outbox depth, reply latency.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py) makes
every worker's counts add up in one scrape."""
from __future__ import annotations

import os

from flask import Blueprint, Response, current_app
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest,
                               multiprocess)

REQUESTS = Counter("pufa_webhook_requests_total", "WeChat webhook requests", ["kind", "outcome"])
CONFIDENCE = Counter("pufa_answers_total", "Question answers by confidence band", ["band"])
ESCALATIONS = Counter("pufa_tickets_filed_total", "Tickets filed", ["kind"])
LATENCY = Histogram("pufa_reply_seconds", "Time to build a reply",
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    try:
        depth = current_app.extensions["pufa"].services.queue.outbox.depth()
        body += (b"# HELP pufa_outbox_depth Staff replies waiting for delivery\n"
                 b"# TYPE pufa_outbox_depth gauge\n" + f"pufa_outbox_depth {depth}\n".encode())
    except Exception:  # redis down: the other metrics still matter
        pass
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
