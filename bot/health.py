"""/healthz: 200 with Redis and knowledge-base status; 503 when Redis is unreachable."""
from flask import Blueprint, current_app, jsonify
import redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    pufa = current_app.extensions["pufa"]
    status = {"redis": "ok", "knowledge": {"entries": len(pufa.services.kb)}}
    code = 200
    try:
        pufa.redis.ping()
    except redis.RedisError as exc:
        status["redis"] = f"unreachable: {type(exc).__name__}"
        code = 503
    status["status"] = "ok" if code == 200 else "degraded"
    return jsonify(status), code
