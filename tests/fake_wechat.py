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
        self.qrcodes: list[dict] = []  # qrcode/create bodies received
        self.qrcode_shown: list[str] = []  # tickets asked for at showqrcode
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
        if request.path == "/cgi-bin/qrcode/create":
            if request.args.get("access_token") != "fake-token":
                return self._json({"errcode": 40001, "errmsg": "invalid credential"})
            body = json.loads(request.get_data(as_text=True))
            with self._lock:
                self.qrcodes.append(body)
            scene = body["action_info"]["scene"]["scene_str"]
            return self._json({"ticket": f"fake-ticket-{scene}", "url": f"http://weixin.qq.com/q/fake-{scene}"})
        if request.path == "/cgi-bin/showqrcode":
            ticket = request.args.get("ticket", "")
            if not ticket.startswith("fake-ticket-"):
                return Response("bad ticket", status=404)
            with self._lock:
                self.qrcode_shown.append(ticket)
            return Response(fake_qrcode_jpeg(), mimetype="image/jpg")  # WeChat answers with a JPEG
        return Response("not found", status=404)

    @staticmethod
    def _json(data: dict) -> Response:
        return Response(json.dumps(data), mimetype="application/json")


def fake_qrcode_jpeg(size: int = 86) -> bytes:
    """A black-and-white checkered JPEG standing in for WeChat's QR-code image."""
    import io

    from PIL import Image

    image = Image.new("L", (size, size), 255)
    for x in range(0, size, 2):
        for y in range(x % 4 // 2, size, 2):
            image.putpixel((x, y), 0)
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()
