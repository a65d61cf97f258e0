"""`flask exhibits list [--json]` and `flask exhibits qrcode SCENE --out FILE.png`:
the 法治文化游园 exhibits of knowledge/exhibits.yaml and their permanent WeChat
QR codes (QR_LIMIT_STR_SCENE, scene_str = the exhibit's scene)."""
from __future__ import annotations

import io
import json
import logging
import os
import sys
import tempfile

import click
import requests
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
exhibits_cli = AppGroup("exhibits", help="法治文化游园 exhibits and their QR codes.")

SHOWQRCODE_BASE = "https://mp.weixin.qq.com"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NEEDS_REAL = ("生成二维码需要公众号的真实凭据：请设置 WECHAT_APP_ID 和 WECHAT_APP_SECRET（公众平台 → 设置与开发 → "
              "基本配置），现在用的是演示值 {names}。没有向微信发出任何请求。")


@exhibits_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def exhibits_list(as_json):
    """The exhibits: scene, title, village."""
    from knowledge.exhibits import load_exhibits

    for e in load_exhibits().values():
        if as_json:
            click.echo(json.dumps({"scene": e.scene, "title": e.title, "village": e.village,
                                   "faq": list(e.faq)}, ensure_ascii=False))
        else:
            click.echo(f"{e.scene:<28}{e.village}  {e.title}")


def showqrcode_url(settings) -> str:
    """mp.weixin.qq.com's showqrcode, or the same path under WECHAT_API_BASE_URL (a fake or a proxy)."""
    base = settings.wechat_api_base_url.rstrip("/") if settings.wechat_api_base_url else SHOWQRCODE_BASE
    return base + "/cgi-bin/showqrcode"


def as_png(content: bytes) -> bytes:
    """The image as PNG (WeChat's showqrcode answers with a JPEG)."""
    if content.startswith(PNG_SIGNATURE):
        return content
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise click.ClickException("微信返回的不是图片 / the answer is not an image") from None
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _save(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


@exhibits_cli.command("qrcode")
@click.argument("scene")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to save the PNG.")
def exhibits_qrcode(scene, out):
    """Ask WeChat for the exhibit's permanent QR code and save it as PNG."""
    from wechatpy.exceptions import WeChatClientException

    from knowledge.exhibits import load_exhibits

    from .wxclient import make_client

    exhibit = load_exhibits().get(scene)
    if exhibit is None:
        raise click.ClickException(f"没有这个展项：{scene}（`flask exhibits list` 列出全部）")
    pufa = current_app.extensions["pufa"]
    settings = pufa.settings
    demo = [name for name in ("WECHAT_APP_ID", "WECHAT_APP_SECRET") if name in settings.demo_values]
    if demo:
        click.echo(NEEDS_REAL.format(names="、".join(demo)), err=True)
        sys.exit(2)
    client = make_client(settings, pufa.redis, pufa.keys)
    try:
        created = client.qrcode.create({"action_name": "QR_LIMIT_STR_SCENE",
                                        "action_info": {"scene": {"scene_str": scene}}})
        ticket = created.get("ticket")
        if not ticket:
            raise click.ClickException(f"微信没有返回 ticket / no ticket in WeChat's answer: {created}")
        resp = requests.get(showqrcode_url(settings), params={"ticket": ticket}, timeout=10)
    except WeChatClientException as exc:
        raise click.ClickException(f"微信拒绝了请求 / WeChat refused: errcode {exc.errcode} {exc.errmsg}") from None
    except requests.RequestException as exc:
        raise click.ClickException(f"连不上微信 / cannot reach WeChat: {type(exc).__name__}") from None
    if resp.status_code != 200:
        raise click.ClickException(f"showqrcode answered HTTP {resp.status_code}")
    _save(out, as_png(resp.content))
    log.info("exhibit qrcode saved", extra={"scene": scene})
    click.echo(f"{exhibit.title}（{exhibit.village}）的二维码已保存到 {out}；扫码后公众号会发出这个展项的介绍。")
