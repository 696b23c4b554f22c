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
    # --- market page (buying) ---
    "market.buy": {"en": "Buy", "zh": "购买"},
    "buy.title": {"en": "Buy energy", "zh": "购买电量"},
    "buy.offer": {"en": "Offer", "zh": "报价编号"},
    "buy.quantity": {"en": "Quantity per interval (Wh)", "zh": "每个时段的电量（瓦时）"},
    "buy.price": {"en": "Price per kWh", "zh": "每千瓦时价格"},
    "buy.review": {"en": "Review purchase", "zh": "核对购买"},
    "buy.confirm_question": {
        "en": "Buy this energy in each interval of the offer?",
        "zh": "确认在该报价的每个时段购买此电量？",
    },
    "buy.wh_per_interval": {"en": "Wh in each interval", "zh": "瓦时（每个时段）"},
    "buy.confirm": {"en": "Confirm purchase", "zh": "确认购买"},
    "buy.cancel": {"en": "Cancel", "zh": "取消"},
    "buy.sending": {"en": "Sending to the ledger…", "zh": "正在提交到账本…"},
    "buy.transaction": {"en": "Transaction id", "zh": "交易编号"},
    "buy.status": {"en": "Status", "zh": "状态"},
    "buy.committed": {"en": "Committed (valid)", "zh": "已提交（有效）"},
    "buy.block": {"en": "Block", "zh": "区块"},
    "buy.block_waiting": {"en": "waiting for the block event…", "zh": "正在等待区块事件…"},
    "buy.done": {"en": "Purchase committed.", "zh": "购买已提交。"},
    "buy.refused": {"en": "The purchase was refused:", "zh": "购买被拒绝："},
    "buy.bad_quantity": {
        "en": "Enter a whole number of Wh from 1 to what remains.",
        "zh": "请输入 1 到剩余电量之间的整数瓦时。",
    },
    # --- producer page ---
    "producer.title": {"en": "Producer", "zh": "生产者"},
    "producer.my_offers": {"en": "My open offers", "zh": "我的公开报价"},
    "producer.no_offers": {
        "en": "You have no open offers in this interval.",
        "zh": "您在该时段没有公开报价。",
    },
    "producer.quantity": {"en": "Offered (Wh)", "zh": "报价电量（瓦时）"},
    "producer.withdraw": {"en": "Withdraw", "zh": "撤回"},
    "producer.withdrawn": {"en": "Offer withdrawn; transaction", "zh": "报价已撤回，交易编号"},
    "producer.sales": {"en": "My sales", "zh": "我的销售"},
    "producer.no_sales": {"en": "No sales yet.", "zh": "暂无销售记录。"},
    "producer.buyer": {"en": "Buyer", "zh": "买方"},
    "producer.sold": {"en": "Sold per interval (Wh)", "zh": "每个时段售出（瓦时）"},
    "producer.intervals": {"en": "Intervals", "zh": "时段数"},
    "producer.transaction": {"en": "Transaction", "zh": "交易编号"},
    "producer.certificates": {"en": "My certificates", "zh": "我的绿色电力证书"},
    "producer.no_certificates": {"en": "No certificates.", "zh": "暂无证书。"},
    "producer.certificate": {"en": "Certificate", "zh": "证书编号"},
    "producer.certificate_interval": {"en": "Interval (UTC)", "zh": "时段（协调世界时）"},
    "producer.issued_wh": {"en": "Issued (Wh)", "zh": "签发电量（瓦时）"},
    "producer.transferred_wh": {"en": "Transferred (Wh)", "zh": "已转让（瓦时）"},
    "producer.certificate_status": {"en": "Status", "zh": "状态"},
    "producer.next_page": {"en": "Next page", "zh": "下一页"},
    "producer.first_page": {"en": "First page", "zh": "第一页"},
    "certificate.active": {"en": "Active", "zh": "有效"},
    "certificate.transferred": {"en": "Transferred", "zh": "已转让"},
    "certificate.retired": {"en": "Retired", "zh": "已注销"},
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
