"""The order in which handlers are asked to take a message."""
from __future__ import annotations

from .conversation import Router
from .daily import DailyHandler
from .events import ScanHandler, SubscribeHandler, UnclearVoiceHandler, UnsubscribeHandler, UnsupportedHandler
from .faq import FaqHandler
from .greeting import GreetingHandler
from .menu import ChoiceHandler, MenuHandler
from .paging import MoreHandler
from .statute import StatuteHandler


def build_router() -> Router:
    from . import intake, quiz, tickets

    return Router(
        conversations=[intake.INTAKE, quiz.QUIZ],
        handlers=[
            SubscribeHandler(),
            ScanHandler(),
            UnsubscribeHandler(),
            MenuHandler(),
            quiz.QuizHandler(),
            DailyHandler(),
            tickets.MyTicketsHandler(),
            tickets.SupplementHandler(),
            intake.HumanHandler(),
            UnclearVoiceHandler(),
            UnsupportedHandler(),
            MoreHandler(),
            ChoiceHandler(),
            GreetingHandler(),
            StatuteHandler(),
            intake.IntentHandler(),
            FaqHandler(),
        ],
    )


def route_for(text: str, router, services) -> str:
    """What the router does with this message from a villager with no history,
    as a routing-table label: faq, litigation, legal_aid, mediation (or human
    for a bare hand-off that asks which kind of help)."""
    from .base import TEXT, Context, Incoming

    ctx = Context(openid="route-probe", session={}, services=services)
    router.dispatch(Incoming(openid="route-probe", kind=TEXT, text=text), ctx)
    conv = ctx.session.get("conv")
    if not conv or conv.get("name") != "intake":  # no dialog, or the quiz: not a hand-off
        return "faq"
    return conv["data"].get("kind") or "human"
