"""起草起诉状: a draft 民事起诉状 from a legal-aid or litigation ticket.

init_app(app) (after the console's) makes the drafting service
(app.extensions['pufa_drafts']), registers the console pages under
/console/tickets/<number>/draft…, and adds `flask tickets draft`.

Modules: model (sections built from a ticket and knowledge/complaints.yaml;
the document's paragraphs), court (the competent-court hint from
knowledge/courts.yaml), store (versions in Redis), render_docx, render_pdf,
forms and views (the console pages), cli.
"""
from __future__ import annotations


def init_app(app) -> None:
    from ..cli import tickets_cli
    from . import views
    from .cli import draft_command
    from .store import Drafts

    pufa = app.extensions["pufa"]
    if "pufa_console" not in app.extensions:
        raise RuntimeError("drafts: initialise the console first (its login, CSRF and pages are reused)")
    app.extensions["pufa_drafts"] = Drafts(pufa.services.queue, pufa.settings.town, pufa.settings.villages)
    app.register_blueprint(views.bp, url_prefix="/console/tickets")
    tickets_cli.add_command(draft_command)
