"""A deliberately plain settlement written from docs/settlement.md only.

It shares no code with gridledger_chaincode.energy: plain dicts and tuples in, plain dicts out,
its own rounding and allocation. The property tests compare the two on random market days.
"""

from __future__ import annotations

DAY = 86400
QUARTER = 900


def round_half_even_ratio(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to an integer, exact halves to the even integer."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)  # floor division, remainder >= 0
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def tariff_for_day(tariffs, day):
    best = None
    for tariff in tariffs:
        if tariff["effective_from"] <= day and (
            best is None
            or (tariff["effective_from"], tariff["version"])
            > (best["effective_from"], best["version"])
        ):
            best = tariff
    assert best is not None, "no tariff"
    return best


def band_for(tariff, instant):
    minute = (instant % DAY) // 60
    chosen = None
    for start_minute, name, price in sorted(tariff["bands"]):
        if start_minute <= minute:
            chosen = (name, price)
    return chosen


def split_pro_rata(total, trades):
    """Section 6: floor shares, leftover Wh to the largest remainders, ties by trade id."""
    whole = sum(t["q"] for t in trades)
    result = {}
    if whole == 0:
        return result
    leftovers = []
    for t in trades:
        result[t["id"]] = (total * t["q"]) // whole
        leftovers.append(((total * t["q"]) % whole, t["id"]))
    missing = total - sum(result.values())
    leftovers.sort(key=lambda pair: (-pair[0], pair[1]))
    for i in range(missing):
        result[leftovers[i][1]] += 1
    return result


def reference_settle(
    participant, start, end, meters, readings, trades, tariffs, certificates, lengths=None
):
    """meters: list of meter ids; readings: {(meter, instant): (import, export)};
    trades: [{id, buyer, seller, t, q, p}]; tariffs: [{version, effective_from, bands:
    [(start_minute, name, price)], feed_in, grid_fee, fixed_fee, tax_bp}];
    certificates: [{id, trade, wh}] held by the participant; lengths: {meter: interval
    minutes} (15 when absent). Section "Interval lengths": the participant's energy is compared
    with its trades over its longest meter interval, with the trades of every quarter-hour in it."""
    lengths = lengths or {}
    step = {meter: lengths.get(meter, 15) * 60 for meter in meters}
    block = max(step.values(), default=QUARTER)
    missing = []
    for meter in meters:
        instant = start
        while instant <= end:
            if (meter, instant) not in readings:
                missing.append((meter, instant))
            instant += step[meter]
    missing_set = set(missing)

    # quantities per line key: (kind, version, counterparty, band, price) -> [wh, covered]
    quantities = {}

    def add(kind, version, counterparty, band, price, wh, covered=0):
        if wh == 0:
            return
        key = (kind, version, counterparty, band, price)
        if key not in quantities:
            quantities[key] = [0, 0]
        quantities[key][0] += wh
        quantities[key][1] += covered

    unsettled = []
    matched_by_interval = []
    claims = {}
    t = start
    while t < end:
        needs_missing = False
        for meter in meters:
            at = t
            while at <= t + block:
                if (meter, at) in missing_set:
                    needs_missing = True
                at += step[meter]
        if needs_missing:
            unsettled.extend(range(t, t + block, QUARTER))
            t += block
            continue
        consumed = 0
        exported = 0
        for meter in meters:
            consumed += readings[(meter, t + block)][0] - readings[(meter, t)][0]
            exported += readings[(meter, t + block)][1] - readings[(meter, t)][1]
        tariff = tariff_for_day(tariffs, t - t % DAY)
        v = tariff["version"]
        band_name, band_price = band_for(tariff, t)
        purchases = sorted(
            [x for x in trades if x["buyer"] == participant and t <= x["t"] < t + block],
            key=lambda x: x["id"],
        )
        sales = [x for x in trades if x["seller"] == participant and t <= x["t"] < t + block]
        bought = sum(x["q"] for x in purchases)
        sold = sum(x["q"] for x in sales)
        covered = split_pro_rata(min(bought, consumed), purchases)
        for x in purchases:
            add("trade_purchase", v, x["seller"], "", x["p"], x["q"], covered[x["id"]])
        if consumed > bought:
            add("utility_energy", v, "", band_name, band_price, consumed - bought)
        if bought > consumed:
            add("imbalance_credit", v, "", "", tariff["feed_in"], bought - consumed)
        for x in sales:
            add("trade_sale", v, x["buyer"], "", x["p"], x["q"])
        if sold > exported:
            add("under_delivery", v, "", band_name, band_price, sold - exported)
        if exported > sold:
            add("export_credit", v, "", "", tariff["feed_in"], exported - sold)
        add("grid_fee", v, "", "", tariff["grid_fee"], consumed + exported)

        matched = 0
        for x in purchases:
            held = sorted((c for c in certificates if c["trade"] == x["id"]), key=lambda c: c["id"])
            can = min(covered[x["id"]], sum(c["wh"] for c in held))
            matched += can
            for c in held:
                take = min(c["wh"], can)
                can -= take
                if take > 0:
                    claims[c["id"]] = take
        if consumed > 0:
            matched_by_interval.append((t, consumed, matched))
        t += block

    lines = []
    credits = ("trade_sale", "imbalance_credit", "export_credit")
    for key, (wh, covered) in quantities.items():
        kind, version, counterparty, band, price = key
        sign = -1 if kind in credits else 1
        amount = round_half_even_ratio(sign * wh * price, 10_000_000)
        lines.append((kind, version, counterparty, band, price, wh, amount, covered))

    days_per_version = {}
    tariff_of_version = {}
    day = start
    while day < end:
        tariff = tariff_for_day(tariffs, day)
        days_per_version[tariff["version"]] = days_per_version.get(tariff["version"], 0) + 1
        tariff_of_version[tariff["version"]] = tariff
        day += DAY
    for version, days in days_per_version.items():
        fee = tariff_of_version[version]["fixed_fee"]
        if fee:
            lines.append(("fixed_fee", version, "", "", fee, days, days * fee, 0))

    tax_base = {}
    for line in lines:
        tax_base[line[1]] = tax_base.get(line[1], 0) + line[6]
    tax_lines = []
    for version, base in tax_base.items():
        rate = tariff_of_version_any(tariffs, version)["tax_bp"]
        tax_lines.append(
            ("tax", version, "", "", rate, base, round_half_even_ratio(base * rate, 10_000), 0)
        )
    subtotal = sum(line[6] for line in lines)
    tax = sum(line[6] for line in tax_lines)

    hours = {}
    for t0, consumed, matched in matched_by_interval:
        hour = t0 - t0 % 3600
        c0, m0 = hours.get(hour, (0, 0))
        hours[hour] = (c0 + consumed, m0 + matched)

    return {
        "lines": sorted(
            lines + tax_lines, key=lambda line: (line[0], line[1], line[2], line[3], line[4])
        ),
        "subtotal": subtotal,
        "tax": tax,
        "total": subtotal + tax,
        "missing": sorted(missing),
        "unsettled": unsettled,
        "complete": not missing,
        "matched_intervals": matched_by_interval,
        "matched_hours": sorted((h, c, m) for h, (c, m) in hours.items()),
        "claims": sorted(claims.items()),
    }


def tariff_of_version_any(tariffs, version):
    for tariff in tariffs:
        if tariff["version"] == version:
            return tariff
    raise AssertionError(version)
