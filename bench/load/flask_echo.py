"""The smallest Flask + wechatpy WeChat robot (check the URL signature, parse the
XML, render a text reply echoing the question): what our stack costs before the
bot does anything, for comparison with the WeRoBot echo (bench/load/inprocess.py --flask-echo)."""
import os

from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

TOKEN = os.environ.get("WECHAT_TOKEN", "").strip() or "pufa-demo-token"
app = Flask(__name__)


@app.post("/wechat")
def echo():
    args = request.args
    try:
        check_signature(TOKEN, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        return Response("bad signature", status=403)
    message = parse_message(request.get_data())
    reply = TextReply(source=message.target, target=message.source, content=message.content).render()
    return Response(reply, mimetype="application/xml")
