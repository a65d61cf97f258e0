"""Personal data never appears unmasked in logs: openids are hashed, phones
and names masked."""
from __future__ import annotations

import hashlib


def hash_openid(openid: str) -> str:
    return hashlib.sha256(("pufa:" + (openid or "")).encode()).hexdigest()[:12]


def mask_phone(phone: str) -> str:
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


def mask_name(name: str) -> str:
    name = name or ""
    return name[:1] + "*" * (len(name) - 1) if name else ""
