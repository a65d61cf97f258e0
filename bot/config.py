"""Configuration from environment variables (a .env file is read when present).

In development, missing values get demo values that are printed at start.
In production (PUFA_ENV=production), a missing or demo secret stops start-up
with one clear line naming the variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

DEMO = {
    "WECHAT_TOKEN": "pufa-demo-token",
    "WECHAT_APP_ID": "wxdemo0000000000",
    "WECHAT_APP_SECRET": "demo-app-secret",
    "SECRET_KEY": "demo-secret-key-change-me",
}
# A valid 43-character EncodingAESKey, used only by `flask chat --aes` in development.
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

# 下汤镇 (鲁山县) villages and communities: the sample list that routes mediation
# cases to a village's mediators. Replace with PUFA_VILLAGES="甲村,乙村,…".
DEFAULT_VILLAGES = (
    "下汤社区,和尚岭村,林庄村,西羊石村,东羊石村,红石崖村,苍房村,温汤村,四间房村,"
    "河口村,架寺沟村,姚沟村,吴沟村,武平村,岭头村,砚台沟村,苏庄村,十字路村,"
    "寺沟村,韩庄村,杨柳树村,疙瘩沟村,上汤村,下汤村,北沟村,拐河村"
)


class ConfigError(RuntimeError):
    """A setting that production cannot start without."""


@dataclass
class Settings:
    env: str = "development"
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "pufa:"
    secret_key: str = ""
    town: str = "下汤镇"
    villages: list[str] = field(default_factory=list)
    demo_values: list[str] = field(default_factory=list)

    @property
    def production(self) -> bool:
        return self.env == "production"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    if environ is None:
        try:
            from dotenv import load_dotenv

            load_dotenv(override=False)
        except ImportError:  # pragma: no cover - python-dotenv is a requirement
            pass
        environ = dict(os.environ)
    env = environ.get("PUFA_ENV", "development").strip() or "development"
    if env not in ("development", "production"):
        raise ConfigError(f"PUFA_ENV must be development or production, not {env!r}")
    s = Settings(env=env)
    for var, attr in (
        ("WECHAT_TOKEN", "wechat_token"),
        ("WECHAT_APP_ID", "wechat_app_id"),
        ("WECHAT_APP_SECRET", "wechat_app_secret"),
        ("SECRET_KEY", "secret_key"),
    ):
        value = environ.get(var, "").strip()
        if not value or value == DEMO[var]:
            if s.production:
                raise ConfigError(f"{var} is not set: production needs a real value for {var}")
            value = DEMO[var]
            s.demo_values.append(var)
        setattr(s, attr, value)
    s.wechat_aes_key = environ.get("WECHAT_ENCODING_AES_KEY", "").strip()
    if s.wechat_aes_key and len(s.wechat_aes_key) != 43:
        raise ConfigError("WECHAT_ENCODING_AES_KEY must be the 43 characters shown in the WeChat admin console")
    s.wechat_api_base_url = environ.get("WECHAT_API_BASE_URL", "").strip()
    s.redis_url = environ.get("REDIS_URL", "").strip()
    s.redis_prefix = environ.get("PUFA_REDIS_PREFIX", "pufa:").strip() or "pufa:"
    s.town = environ.get("PUFA_TOWN", s.town).strip() or s.town
    villages = environ.get("PUFA_VILLAGES", DEFAULT_VILLAGES)
    s.villages = [v.strip() for v in villages.split(",") if v.strip()]
    return s
