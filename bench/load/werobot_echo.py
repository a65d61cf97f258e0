"""The peer baseline of the load benchmark: a WeRoBot echo robot, the floor of
every WeChat bot (check the signature, parse the XML, render the reply, nothing
else), as WSGI for gunicorn:

    gunicorn -c bench/load/werobot_gunicorn.conf.py --pythonpath bench/load werobot_echo:app

Same token as our bot (WECHAT_TOKEN, else the development demo token).
WeRoBot's default SQLite session store is switched off (SESSION_STORAGE=False):
an echo keeps no session, and a per-message SQLite write would not be "nothing else".
"""
import os

from werobot import WeRoBot

robot = WeRoBot(token=os.environ.get("WECHAT_TOKEN", "").strip() or "pufa-demo-token", SESSION_STORAGE=False)


@robot.text
def echo(message):
    return message.content


app = robot.wsgi
