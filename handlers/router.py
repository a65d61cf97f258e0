"""The order in which handlers are asked to take a message."""
from __future__ import annotations

from .conversation import Router
from .daily import DailyHandler
from .events import SubscribeHandler, UnclearVoiceHandler, UnsubscribeHandler, UnsupportedHandler
from .faq import FaqHandler
from .menu import ChoiceHandler, MenuHandler
from .paging import MoreHandler
from .statute import StatuteHandler


def build_router() -> Router:
    from . import intake, tickets

    return Router(
        conversations=[intake.INTAKE],
        handlers=[
            SubscribeHandler(),
            UnsubscribeHandler(),
            MenuHandler(),
            DailyHandler(),
            tickets.MyTicketsHandler(),
            tickets.SupplementHandler(),
            intake.HumanHandler(),
            UnclearVoiceHandler(),
            UnsupportedHandler(),
            MoreHandler(),
            ChoiceHandler(),
            StatuteHandler(),
            intake.IntentHandler(),
            FaqHandler(),
        ],
    )
