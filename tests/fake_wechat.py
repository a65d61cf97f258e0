"""A local fake of WeChat's API (token + customer-service messages) for tests
and demos, served from a thread on a free loopback port."""
from __future__ import annotations

import json
import threading
import time

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeWeChatAPI:
    def __init__(self):
        self.messages: list[dict] = []  # customer-service messages received
        self.failures: list[int | str] = []  # next answers: errcodes, or "timeout"
        self.token_requests = 0
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "FakeWeChatAPI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def fail(self, *answers: int | str) -> None:
        with self._lock:
            self.failures.extend(answers)

    def sent_to(self, openid: str) -> list[str]:
        return [m["text"]["content"] for m in self.messages if m.get("touser") == openid]

    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path == "/cgi-bin/token":
            self.token_requests += 1
            return self._json({"access_token": "fake-token", "expires_in": 7200})
        if request.path == "/cgi-bin/message/custom/send":
            if request.args.get("access_token") != "fake-token":
                return self._json({"errcode": 40001, "errmsg": "invalid credential"})
            with self._lock:
                failure = self.failures.pop(0) if self.failures else None
            if failure == "timeout":
                time.sleep(6)
                return self._json({"errcode": 0, "errmsg": "late"})
            if failure == 500:
                return Response("boom", status=500)
            if failure:
                return self._json({"errcode": failure, "errmsg": "refused by fake"})
            with self._lock:
                self.messages.append(json.loads(request.get_data(as_text=True)))
            return self._json({"errcode": 0, "errmsg": "ok"})
        return Response("not found", status=404)

    @staticmethod
    def _json(data: dict) -> Response:
        return Response(json.dumps(data), mimetype="application/json")
