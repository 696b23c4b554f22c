"""One message catalogue for the web pages: every string a page shows, in English and
Simplified Chinese. The language is ``?lang=`` when given, else the browser's
``Accept-Language`` (highest quality first), else English."""

from __future__ import annotations

import time
from typing import Final

from gridledger_domain.vocabulary import EnergySource

LANGUAGES: Final = ("en", "zh")
DEFAULT = "en"
HTML_LANG: Final = {"en": "en", "zh": "zh-Hans"}

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "site.name": {"en": "GridLedger market", "zh": "电力交易市场"},
    "lang.other": {"en": "简体中文", "zh": "英文"},
    "sign_in.title": {"en": "Sign in", "zh": "登录"},
    "sign_in.name": {"en": "User name", "zh": "用户名"},
    "sign_in.password": {"en": "Password", "zh": "密码"},
    "sign_in.submit": {"en": "Sign in", "zh": "登录"},
    "sign_in.bad_credentials": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "sign_in.too_many": {
        "en": "Too many failed sign-ins; try again in a minute.",
        "zh": "登录失败次数过多，请一分钟后再试。",
    },
    "sign_in.expired": {
        "en": "The sign-in form expired; please try again.",
        "zh": "登录表单已过期，请重试。",
    },
    "sign_out.submit": {"en": "Sign out", "zh": "退出"},
    "user.signed_in_as": {"en": "Signed in as", "zh": "当前用户："},
    "market.title": {"en": "Market", "zh": "市场"},
    "market.board": {"en": "Open offers", "zh": "公开报价"},
    "market.interval": {"en": "Interval (UTC)", "zh": "时段（协调世界时）"},
    "market.show": {"en": "Show", "zh": "显示"},
    "market.offer": {"en": "Offer", "zh": "报价编号"},
    "market.source": {"en": "Source", "zh": "能源类型"},
    "market.zone": {"en": "Zone", "zh": "区域"},
    "market.remaining": {"en": "Remaining (Wh)", "zh": "剩余电量（瓦时）"},
    "market.price": {"en": "Price per kWh", "zh": "每千瓦时价格"},
    "market.empty": {"en": "No open offers in this interval.", "zh": "该时段没有公开报价。"},
    "market.connecting": {"en": "Connecting to live updates…", "zh": "正在连接实时更新…"},
    "market.live": {"en": "Live", "zh": "实时更新中"},
    "market.offline": {"en": "Reconnecting…", "zh": "正在重新连接…"},
    **{
        f"source.{source.value}": {"en": english, "zh": chinese}
        for source, english, chinese in (
            (EnergySource.SOLAR, "Solar", "太阳能"),
            (EnergySource.WIND, "Wind", "风能"),
            (EnergySource.HYDRO, "Hydro", "水电"),
            (EnergySource.BIOMASS, "Biomass", "生物质能"),
            (EnergySource.GEOTHERMAL, "Geothermal", "地热能"),
            (EnergySource.GAS, "Gas", "天然气"),
            (EnergySource.COAL, "Coal", "煤电"),
            (EnergySource.NUCLEAR, "Nuclear", "核能"),
            (EnergySource.GRID, "Grid", "电网"),
        )
    },
}


def language(query: str | None, accept_language: str | None) -> str:
    """``query`` (``?lang=``) when it names a language, else the best of ``Accept-Language``."""
    if query in LANGUAGES:
        return query
    best, best_q = DEFAULT, 0.0
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        # earlier tags win ties: a tiny penalty by position keeps the browser's order
        ranked = quality - order * 1e-6
        if primary in LANGUAGES and ranked > best_q:
            best, best_q = primary, ranked
    return best


def messages(lang: str) -> dict[str, str]:
    """Every message of the catalogue in ``lang``."""
    return {key: texts[lang] for key, texts in CATALOGUE.items()}


def interval_text(seconds: int, lang: str) -> str:
    """An interval's start as the page shows it (UTC)."""
    moment = time.gmtime(seconds)
    clock = f"{moment.tm_hour:02d}:{moment.tm_min:02d}"
    if lang == "zh":
        return f"{moment.tm_year}年{moment.tm_mon}月{moment.tm_mday}日 {clock}"
    return f"{moment.tm_year}-{moment.tm_mon:02d}-{moment.tm_mday:02d} {clock}"


def price_text(price: int) -> str:
    """A price (minor units per kWh scaled by 10 000) as minor units with 4 decimals."""
    return f"{price / 10_000:,.4f}"


def quantity_text(watt_hours: int) -> str:
    return f"{watt_hours:,}"
