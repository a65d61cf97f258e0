"""WeChat retries answered once; long replies paged under 2048 bytes."""
from __future__ import annotations

import threading

from handlers.base import Context
from handlers.paging import REPLY_LIMIT, split_pages
from tests.conftest import LOAN_FACT_ANSWERS, Villager


def ticket_count(app):
    q = app.extensions["pufa"].services.queue
    return len(q.list())


def test_same_msgid_three_times_gives_one_side_effect_and_identical_replies(app, client):
    v = Villager(client, "o_retry")
    xml = v.sim.text("人工", msg_id=777001)
    replies = [v.send(xml) for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    session = app.extensions["pufa"].responder.context("o_retry").session
    # One step taken: the dialog asks what kind of help, once.
    assert session["conv"]["state"] == "kind"
    nxt = v.send(v.sim.text("1", msg_id=777002))
    assert "同意" in nxt  # the next step, not a repeat of the first


def test_concurrent_retries_on_two_workers_file_one_ticket(app, make_app):
    """Two app instances (as two gunicorn workers) share Redis; the confirming
    message arrives on both at once, three times."""
    prefix = app.extensions["pufa"].keys.prefix
    other = make_app(REDIS_PREFIX=prefix)
    v1 = Villager(app.test_client(), "o_conc")
    v1.say("我要告他，他欠钱不还")
    for answer in ("同意", "李四", "13912345678", "和尚岭村", "6", "他借了我五千块钱一直不还", "王二", *LOAN_FACT_ANSWERS,
                   "4", "没有"):
        v1.say(answer)
    confirm = v1.sim.text("确认", msg_id=888001)
    clients = [app.test_client(), other.test_client(), app.test_client()]
    results = []

    def post(c):
        params, body = v1.sim.sign(confirm)
        resp = c.post("/wechat", query_string=params, data=body, content_type="text/xml")
        results.append(v1.sim.unwrap(params, resp.get_data(as_text=True)))

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ticket_count(app) == 1
    answered = [r for r in results if r]
    assert answered and all(r == answered[0] for r in answered)
    assert "SF-" in answered[0]


def test_events_are_deduplicated_by_sender_time_and_event(app, client):
    v = Villager(client, "o_evt")
    xml = v.sim.event("subscribe", create_time=1700000000)
    assert v.send(xml) == v.send(xml)
    keys = list(app.extensions["pufa"].redis.scan_iter(match=app.extensions["pufa"].keys("dedup", "*")))
    assert len(keys) == 1 and keys[0].endswith("evt:o_evt:1700000000:subscribe:")  # + EventKey (none here)


def test_split_pages_respects_the_byte_limit():
    text = "\n".join(f"第{i}段：" + "法律条文内容" * 20 for i in range(40))
    pages = split_pages(text)
    assert len(pages) > 1
    assert all(len(p.encode()) <= REPLY_LIMIT for p in pages)
    assert "".join(p.replace("\n", "") for p in pages) == text.replace("\n", "")


def test_more_pages_through_a_long_article(app, villager):
    pufa = app.extensions["pufa"]
    ctx = Context("o_pager", {}, pufa.services)
    from handlers.paging import paginate

    long_text = "很长的回答。" * 800
    first = paginate(long_text, ctx)
    assert len(first.encode()) <= REPLY_LIMIT and "更多" in first
    pufa.responder._save_session("o_villager_1", ctx.session)
    footer = "\n（回复【更多】看下一段）"
    pages = [first]
    while pages[-1].endswith(footer):
        pages.append(villager.say("更多"))
        assert len(pages[-1].encode()) <= REPLY_LIMIT
    assert "".join(p.removesuffix(footer) for p in pages) == long_text
    assert "没有更多" in villager.say("更多")
