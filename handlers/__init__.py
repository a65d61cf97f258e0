"""Conversation capabilities, one module each, behind one small interface
(handlers.base.Handler) and chosen by handlers.router.Router.

Handlers never import wechatpy or touch XML: they receive a plain
handlers.base.Incoming and return the reply text (or None for no reply).
"""
