"""One message catalogue for the web pages: every string a page shows, in English and
Simplified Chinese. The language is ``?lang=`` when given, else the browser's
``Accept-Language`` (highest quality first), else English."""

from __future__ import annotations

import time
from decimal import Decimal
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
    # --- energy page ---
    "nav.energy": {"en": "My energy", "zh": "我的用电"},
    "energy.title": {"en": "My energy", "zh": "我的用电"},
    "energy.day": {"en": "Day (UTC)", "zh": "日期（协调世界时）"},
    "energy.month": {"en": "Month (UTC)", "zh": "月份（协调世界时）"},
    "energy.meter": {"en": "Meter", "zh": "电表"},
    "energy.all_meters": {"en": "All my meters", "zh": "我的全部电表"},
    "energy.show": {"en": "Show", "zh": "显示"},
    "energy.no_meters": {"en": "You have no meters.", "zh": "您没有电表。"},
    "energy.per_interval": {"en": "Energy per 15 minutes", "zh": "每15分钟电量"},
    "energy.per_day": {"en": "Energy per day", "zh": "每日电量"},
    "energy.consumption": {"en": "Consumption (Wh)", "zh": "用电量（瓦时）"},
    "energy.production": {"en": "Production (Wh)", "zh": "发电量（瓦时）"},
    "energy.time": {"en": "Time (UTC)", "zh": "时间（协调世界时）"},
    "energy.date": {"en": "Date (UTC)", "zh": "日期（协调世界时）"},
    "energy.total": {"en": "Total", "zh": "合计"},
    "energy.figures": {"en": "Figures", "zh": "数据表"},
    "energy.no_readings": {"en": "No readings in this period.", "zh": "该时段没有读数。"},
    "energy.download": {"en": "Download my data:", "zh": "下载我的数据："},
    "energy.csv": {"en": "CSV", "zh": "逗号分隔值文件"},
    "energy.json": {"en": "JSON", "zh": "结构化数据文件"},
    "refused.title": {"en": "Not allowed", "zh": "无权访问"},
    "refused.meter": {"en": "This meter is not one of yours.", "zh": "该电表不属于您。"},
    "refused.bill": {"en": "You may not see this bill.", "zh": "您无权查看此账单。"},
    "refused.not_found": {"en": "Not found", "zh": "未找到"},
    "refused.no_bill": {"en": "There is no such bill.", "zh": "没有此账单。"},
    "refused.back": {"en": "Back to the market", "zh": "返回市场"},
    # --- bills page ---
    "nav.bills": {"en": "My bills", "zh": "我的账单"},
    "bills.title": {"en": "My bills", "zh": "我的账单"},
    "bills.period": {"en": "Period (UTC)", "zh": "账期（协调世界时）"},
    "bills.until": {"en": "to", "zh": "至"},
    "bills.status": {"en": "Status", "zh": "状态"},
    "bills.complete": {"en": "Complete", "zh": "完整"},
    "bills.incomplete": {"en": "Incomplete", "zh": "不完整"},
    "bills.total": {"en": "Total", "zh": "合计"},
    "bills.none": {"en": "You have no bills yet.", "zh": "您还没有账单。"},
    "bills.first": {"en": "First page", "zh": "第一页"},
    "bills.next": {"en": "Next page", "zh": "下一页"},
    "bills.open": {"en": "Open", "zh": "查看"},
    "bill.title": {"en": "Bill", "zh": "账单"},
    "bill.back": {"en": "All my bills", "zh": "我的全部账单"},
    "bill.line": {"en": "Line", "zh": "项目"},
    "bill.quantity": {"en": "Quantity", "zh": "数量"},
    "bill.unit_price": {"en": "Unit price", "zh": "单价"},
    "bill.amount": {"en": "Amount", "zh": "金额"},
    "bill.trade_purchase": {"en": "Energy bought from", "zh": "购电，卖方："},
    "bill.trade_sale": {"en": "Energy sold to", "zh": "售电，买方："},
    "bill.utility_energy": {
        "en": "Grid import at tariff, band",
        "zh": "电网购电（按电价），时段：",
    },
    "bill.imbalance_credit": {
        "en": "Bought, not consumed (feed-in credit)",
        "zh": "已购未用（上网电价抵扣）",
    },
    "bill.under_delivery": {"en": "Sold, not delivered, band", "zh": "已售未交付，时段："},
    "bill.export_credit": {"en": "Feed-in credit", "zh": "上网电量抵扣"},
    "bill.grid_fee": {"en": "Grid fee", "zh": "电网费"},
    "bill.fixed_fee": {"en": "Fixed fee", "zh": "固定费用"},
    "bill.tax": {"en": "Tax", "zh": "税"},
    "bill.estimated": {"en": "(estimated)", "zh": "（估算）"},
    "bill.true_up": {"en": "True-up for", "zh": "补差，日期："},
    "bill.wh": {"en": "Wh", "zh": "瓦时"},
    "bill.day": {"en": "day", "zh": "天"},
    "bill.days": {"en": "days", "zh": "天"},
    "bill.per_kwh": {"en": "per kWh", "zh": "每千瓦时"},
    "bill.per_day": {"en": "per day", "zh": "每天"},
    "bill.subtotal": {"en": "Subtotal", "zh": "小计"},
    "bill.tax_total": {"en": "Tax", "zh": "税额"},
    "bill.total": {"en": "Total", "zh": "合计"},
    "bill.incomplete": {
        "en": "Readings are missing: this bill is incomplete.",
        "zh": "缺少读数：此账单不完整。",
    },
    "bill.match": {"en": "Renewable match per hour", "zh": "每小时可再生能源匹配"},
    "bill.hour": {"en": "Hour (UTC)", "zh": "小时（协调世界时）"},
    "bill.consumed": {"en": "Consumed (Wh)", "zh": "用电量（瓦时）"},
    "bill.matched": {"en": "Matched (Wh)", "zh": "已匹配（瓦时）"},
    "bill.share": {"en": "Share", "zh": "占比"},
    "bill.inputs_hash": {"en": "Inputs hash", "zh": "输入哈希值"},
    "bill.verify": {"en": "Verify on the ledger", "zh": "在账本上核验"},
    "bill.recomputed": {"en": "Recomputed inputs hash", "zh": "重新计算的输入哈希值"},
    "bill.identical": {"en": "identical", "zh": "一致"},
    "bill.differs": {"en": "differs", "zh": "不一致"},
    "bill.download": {"en": "Download:", "zh": "下载："},
    "bill.csv": {"en": "CSV", "zh": "逗号分隔值文件"},
    "bill.json": {"en": "JSON", "zh": "结构化数据文件"},
    "currency.EUR": {"en": "€", "zh": "欧元"},
    "currency.CNY": {"en": "CN¥", "zh": "元"},
    # --- utility page ---
    "utility.title": {"en": "Utility", "zh": "电网运营"},
    "utility.participants": {"en": "Participants", "zh": "市场参与者"},
    "utility.participant": {"en": "Participant", "zh": "参与者编号"},
    "utility.name": {"en": "Name", "zh": "名称"},
    "utility.role": {"en": "Role", "zh": "角色"},
    "utility.zone": {"en": "Zone", "zh": "区域"},
    "utility.meters": {"en": "Meters", "zh": "电表"},
    "utility.meters_of": {"en": "Meters of", "zh": "电表所属参与者："},
    "utility.show_meters": {"en": "Show meters", "zh": "查看电表"},
    "utility.meter": {"en": "Meter", "zh": "电表编号"},
    "utility.kind": {"en": "Kind", "zh": "类型"},
    "utility.source": {"en": "Source", "zh": "能源类型"},
    "utility.status": {"en": "Status", "zh": "状态"},
    "utility.no_participants": {"en": "No participants yet.", "zh": "尚无参与者。"},
    "utility.no_meters": {"en": "This participant has no meters.", "zh": "该参与者没有电表。"},
    "utility.next_page": {"en": "Next page", "zh": "下一页"},
    "utility.first_page": {"en": "First page", "zh": "第一页"},
    "utility.settlement": {"en": "Settlement status", "zh": "结算状态"},
    "utility.settlement_note": {
        "en": "Which participants of this page have closed their days of the period.",
        "zh": "本页参与者在所选期间内的日结算是否已完成。",
    },
    "utility.from": {"en": "First day", "zh": "起始日"},
    "utility.to": {"en": "Last day", "zh": "截止日"},
    "utility.until": {"en": "to", "zh": "至"},
    "utility.show": {"en": "Show", "zh": "显示"},
    "utility.days_closed": {"en": "Days closed", "zh": "已结算天数"},
    "utility.first_open": {"en": "First open day", "zh": "首个未结算日"},
    "utility.closed": {"en": "Closed", "zh": "已结算"},
    "utility.open": {"en": "Open", "zh": "未结算"},
    "utility.no_billed": {
        "en": "No billed participants on this page.",
        "zh": "本页没有需要结算的参与者。",
    },
    "utility.bad_period": {
        "en": "The period must run forwards and last at most 366 days.",
        "zh": "期间的截止日不能早于起始日，且不得超过366天。",
    },
    "role.producer": {"en": "Producer", "zh": "发电方"},
    "role.consumer": {"en": "Consumer", "zh": "用电方"},
    "role.prosumer": {"en": "Prosumer", "zh": "产消者"},
    "role.utility": {"en": "Utility", "zh": "电网运营方"},
    "role.auditor": {"en": "Auditor", "zh": "审计方"},
    "meter_kind.production": {"en": "Production", "zh": "发电"},
    "meter_kind.consumption": {"en": "Consumption", "zh": "用电"},
    "meter_kind.bidirectional": {"en": "Bidirectional", "zh": "双向"},
    "meter_status.active": {"en": "Active", "zh": "在用"},
    "meter_status.inactive": {"en": "Inactive", "zh": "停用"},
    "forbidden.text": {
        "en": "Your role does not allow you to open this page.",
        "zh": "您的角色无权打开此页面。",
    },
    # --- auditor page ---
    "auditor.title": {"en": "Ledger explorer", "zh": "账本浏览器"},
    "auditor.height": {"en": "Blocks on the ledger", "zh": "账本区块数"},
    "auditor.blocks": {"en": "Latest blocks", "zh": "最新区块"},
    "auditor.block": {"en": "Block", "zh": "区块"},
    "auditor.transactions": {"en": "Transactions", "zh": "交易数"},
    "auditor.valid_count": {"en": "Valid", "zh": "有效交易"},
    "auditor.time": {"en": "Time (UTC)", "zh": "时间（协调世界时）"},
    "auditor.older": {"en": "Older blocks", "zh": "更早的区块"},
    "auditor.newest": {"en": "Newest blocks", "zh": "最新区块"},
    "auditor.previous_hash": {"en": "Previous block hash", "zh": "前一区块哈希"},
    "auditor.data_hash": {"en": "Data hash", "zh": "数据哈希"},
    "auditor.index": {"en": "No.", "zh": "序号"},
    "auditor.transaction": {"en": "Transaction", "zh": "交易编号"},
    "auditor.kind": {"en": "Type", "zh": "类型"},
    "auditor.creator": {"en": "Submitted by", "zh": "提交组织"},
    "auditor.chaincode": {"en": "Chaincode", "zh": "链码"},
    "auditor.function": {"en": "Function", "zh": "调用函数"},
    "auditor.code": {"en": "Validation", "zh": "验证结果"},
    "auditor.endorsers": {"en": "Endorsed by", "zh": "背书组织"},
    "auditor.find": {"en": "Find a transaction", "zh": "查找交易"},
    "auditor.find_submit": {"en": "Find", "zh": "查找"},
    "auditor.not_found": {
        "en": "No such block or transaction on the ledger.",
        "zh": "账本上没有该区块或交易。",
    },
    "auditor.back": {"en": "Back to the latest blocks", "zh": "返回最新区块"},
    "tx_kind.ENDORSER_TRANSACTION": {"en": "Chaincode transaction", "zh": "链码交易"},
    "tx_kind.CONFIG": {"en": "Channel configuration", "zh": "通道配置"},
    "code.VALID": {"en": "Valid", "zh": "有效"},
    "code.MVCC_READ_CONFLICT": {"en": "Read conflict", "zh": "读冲突"},
    "code.PHANTOM_READ_CONFLICT": {"en": "Phantom read conflict", "zh": "幻读冲突"},
    "code.ENDORSEMENT_POLICY_FAILURE": {
        "en": "Endorsement policy not met",
        "zh": "未满足背书策略",
    },
    "code.DUPLICATE_TXID": {"en": "Duplicate transaction", "zh": "重复交易"},
    "code.other": {"en": "Invalid", "zh": "无效"},
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
    # --- market filters ---
    "market.filter_source": {"en": "Energy source", "zh": "能源类型"},
    "market.all_sources": {"en": "All sources", "zh": "全部能源类型"},
    "market.filter_zone": {"en": "Zone", "zh": "区域"},
    "market.filter": {"en": "Filter", "zh": "筛选"},
    "market.clear_filters": {"en": "Clear filters", "zh": "清除筛选"},
    "market.empty_filtered": {
        "en": "No open offers in this interval match the filters.",
        "zh": "该时段没有符合筛选条件的公开报价。",
    },
    # the board's order: (English, Chinese) ascending, then descending, per column
    **{
        f"market.sorted.{sort}.{order}": {"en": texts[0], "zh": texts[1]}
        for sort, ascending, descending in (
            (
                "price",
                ("Cheapest first", "按价格从低到高排序"),
                ("Most expensive first", "按价格从高到低排序"),
            ),
            (
                "remaining",
                ("Least energy remaining first", "按剩余电量从少到多排序"),
                ("Most energy remaining first", "按剩余电量从多到少排序"),
            ),
            (
                "source",
                ("By energy source", "按能源类型排序"),
                ("By energy source, reversed", "按能源类型倒序排序"),
            ),
        )
        for order, texts in (("asc", ascending), ("desc", descending))
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


def day_text(seconds: int, lang: str) -> str:
    """A day (UTC) as the page shows it."""
    moment = time.gmtime(seconds)
    if lang == "zh":
        return f"{moment.tm_year}年{moment.tm_mon}月{moment.tm_mday}日"
    return f"{moment.tm_year}-{moment.tm_mon:02d}-{moment.tm_mday:02d}"


def price_text(price: int) -> str:
    """A price (minor units per kWh scaled by 10 000) as minor units with 4 decimals."""
    return f"{price / 10_000:,.4f}"


def quantity_text(watt_hours: int) -> str:
    return f"{watt_hours:,}"


def date_text(seconds: int, lang: str) -> str:
    """A UTC day as the page shows it."""
    moment = time.gmtime(seconds)
    if lang == "zh":
        return f"{moment.tm_year}年{moment.tm_mon}月{moment.tm_mday}日"
    return f"{moment.tm_year}-{moment.tm_mon:02d}-{moment.tm_mday:02d}"


def month_text(seconds: int, lang: str) -> str:
    """A UTC month as the page shows it."""
    moment = time.gmtime(seconds)
    if lang == "zh":
        return f"{moment.tm_year}年{moment.tm_mon}月"
    return f"{moment.tm_year}-{moment.tm_mon:02d}"


def money_text(minor: int, currency: str, lang: str, scale: int = 1) -> str:
    """``minor`` units of ``currency`` (divided by ``scale``: a price per kWh is scaled by
    10 000) as a localized amount: English puts the symbol first, Chinese the currency's name
    after; the code itself when the catalogue does not know the currency. Exact: as many
    decimals as the value needs, at least 2."""
    value = Decimal(minor) / scale / 100
    decimals = max(2, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    number = f"{abs(value):,.{decimals}f}"
    sign = "-" if value < 0 else ""
    name = CATALOGUE.get(f"currency.{currency}", {}).get(lang, currency)
    if lang == "zh":
        return f"{sign}{number} {name}"
    return f"{sign}{name}{number}"
