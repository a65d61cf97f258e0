"""普法助手: the WeChat webhook service of a town's judicial office."""
from __future__ import annotations

import logging
import os
import sys
import uuid
from dataclasses import dataclass

from flask import Flask, g

from .config import ConfigError, Settings, load_settings
from .console import init_app as init_console
from .drafts import init_app as init_drafts

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


@dataclass
class Pufa:
    """Everything the app built at start-up; app.extensions['pufa']."""

    settings: Settings
    redis: object
    keys: object
    services: object
    responder: object


def create_app(test_config: dict | None = None) -> Flask:
    from handlers.base import Services
    from handlers.router import build_router
    from knowledge.search import load_knowledge_base
    from knowledge.statutes import load_statutes

    from . import cli, health, metrics, store, webhook
    from .dispatch import Responder
    from .logs import setup_logging

    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or os.environ.get("PUFA_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    environ = test_config.pop("ENVIRON", None)
    try:
        settings = load_settings(environ)
    except ConfigError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        WECHAT_TOKEN=settings.wechat_token,
        MAX_CONTENT_LENGTH=MAX_BODY,
        SIGNATURE_WINDOW=int(os.environ.get("PUFA_SIGNATURE_WINDOW", "300")),
        REQUIRE_ENCRYPTION=settings.production,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
    )
    app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    setup_logging(os.environ.get("PUFA_LOG_LEVEL", "INFO"))
    if settings.demo_values and not app.testing:
        print("开发模式：以下配置使用了演示值 / development demo values: "
              + ", ".join(settings.demo_values), file=sys.stderr)

    r = store.connect(settings.redis_url, app.instance_path)
    keys = store.Keys(test_config.get("REDIS_PREFIX", settings.redis_prefix))
    services = Services(
        kb=load_knowledge_base(), statutes=load_statutes(), villages=settings.villages, town=settings.town,
        usage=store.Usage(r, keys), gaps=store.GapLog(r, keys),
    )
    from .queue import TicketQueue
    from .outbox import Outbox
    from .wxclient import can_send, make_client

    from .spool import Spool

    services.queue = TicketQueue(r, keys, settings)
    from .outreach import Outreach

    services.outreach = Outreach(r, keys.prefix, settings.secret_key)
    from .activities import ActivityStore

    # An activity belongs to a village, or to the whole town (listed first).
    services.activities = ActivityStore(r, keys, [settings.town, *settings.villages])
    services.queue.spool = Spool(os.path.join(app.instance_path, "spool.sqlite3"))
    outbox = Outbox(r, keys, lambda: make_client(settings, r, keys), can_send=lambda: can_send(settings))
    services.queue.outbox = outbox
    responder = Responder(r, keys, build_router(), services, outbox)
    app.extensions["pufa"] = Pufa(settings, r, keys, services, responder)

    @app.before_request
    def _request_id():
        g.request_id = uuid.uuid4().hex[:12]

    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    cli.init_app(app)
    init_console(app)
    init_drafts(app)
    return app
