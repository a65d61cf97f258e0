"""gunicorn settings for the WeRoBot echo baseline: the repo's gunicorn.conf.py
values (workers, worker_class, threads, timeouts, keepalive, max_requests…,
including their PUFA_WORKERS / PUFA_THREADS overrides), without its
on_starting hook (the embedded Redis is our bot's, not WeRoBot's)."""
import importlib.util
import os
import types
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_pufa_gunicorn_conf", Path(__file__).resolve().parents[2] / "gunicorn.conf.py")
_conf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conf)

for _name, _value in vars(_conf).items():
    if _name.startswith("_") or not _name.islower() or callable(_value) or isinstance(_value, types.ModuleType):
        continue
    globals()[_name] = _value  # bind, workers, worker_class, threads, timeout, keepalive, max_requests, …

bind = os.environ.get("WEROBOT_BIND", "127.0.0.1:8001")
