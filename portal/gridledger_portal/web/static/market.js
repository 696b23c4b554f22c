// The market board, live: offers posted for this interval appear, withdrawn or sold-out ones
// disappear and a purchase's remaining energy shows (a TradeCreated event: the offer is read
// again), from the portal's server-sent market events (/api/v1/events). Each time the stream
// (re)opens the board is read again (/api/v1/offers), so nothing committed before the stream
// began, or while it was down, is missed. No inline script: the page's data (interval,
// language, messages, the board's filters and order) comes from its JSON block.
// The board shows only offers of its filters (source, zone; "" is any) and keeps its order
// (sort: price, remaining or source; order: asc or desc; ties cheapest first, then by id, as
// the server orders them): a live offer, or one whose remaining energy changed, is placed
// where it sorts.
"use strict";
(function () {
  const INTERVAL_SECONDS = 900;
  const live = JSON.parse(document.getElementById("market-live").textContent);
  const t = live.messages;
  const body = document.querySelector("#offers tbody");
  const empty = document.getElementById("no-offers");
  const status = document.getElementById("live-status");
  const quantity = new Intl.NumberFormat("en-US");
  const price = new Intl.NumberFormat("en-US", { minimumFractionDigits: 4, maximumFractionDigits: 4 });

  function seconds(value) {
    return typeof value === "number" ? value : Math.floor(Date.parse(value) / 1000);
  }

  function covers(offer) {
    const start = seconds(offer.interval_start);
    return start <= live.interval && live.interval < start + offer.interval_count * INTERVAL_SECONDS;
  }

  function matches(offer) {
    return (!live.source || offer.source === live.source) && (!live.zone || offer.zone === live.zone);
  }

  function keyOf(offer) {
    if (live.sort === "remaining") return offer.remaining_wh;
    if (live.sort === "source") return offer.source;
    return offer.price;
  }

  function rowOffer(row) {
    return {
      offer_id: row.dataset.offerId,
      price: Number(row.dataset.price),
      remaining_wh: Number(row.dataset.remaining),
      source: row.dataset.source,
    };
  }

  // < 0: a before b on the board
  function compare(a, b) {
    const ka = keyOf(a), kb = keyOf(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * (live.order === "desc" ? -1 : 1);
    if (a.price !== b.price) return a.price < b.price ? -1 : 1;
    return a.offer_id < b.offer_id ? -1 : a.offer_id > b.offer_id ? 1 : 0;
  }

  function cell(text, className, datum) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    if (datum) td.setAttribute("data-datum", "");
    return td;
  }

  function rowOf(id) {
    return body.querySelector('tr[data-offer-id="' + CSS.escape(id) + '"]');
  }

  function refresh() {
    empty.hidden = body.rows.length > 0;
  }

  function buyCell() {
    const td = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "buy";
    button.textContent = t["market.buy"];
    td.append(button);
    return td;
  }

  function show(offer) {
    const old = rowOf(offer.offer_id);
    // remaining energy only ever falls: an answer older than what the row shows is dropped
    if (old && offer.status === "open" && Number(old.dataset.remaining) < offer.remaining_wh) return;
    if (old) old.remove();
    if (offer.status !== "open" || offer.remaining_wh <= 0 || !covers(offer) || !matches(offer)) {
      refresh();
      return;
    }
    const row = document.createElement("tr");
    row.dataset.offerId = offer.offer_id;
    row.dataset.price = String(offer.price);
    row.dataset.remaining = String(offer.remaining_wh);
    row.dataset.source = offer.source;
    row.className = old ? "" : "fresh";
    row.append(
      cell(offer.offer_id, "id", true),
      cell(t["source." + offer.source] || offer.source, "", false),
      cell(offer.zone, "", true),
      cell(quantity.format(offer.remaining_wh), "number", false),
      cell(price.format(offer.price / 10000), "number", false),
      buyCell(),
      "\n", // as between the server's rows: the rows' texts stay apart
    );
    const after = Array.from(body.rows).find(function (other) {
      return compare(offer, rowOffer(other)) < 0;
    });
    body.insertBefore(row, after || null);
    refresh();
  }

  function hide(offer) {
    const row = rowOf(offer.offer_id);
    if (row) row.remove();
    refresh();
  }

  async function reread() {
    const seen = new Set();
    let bookmark = "";
    do {
      const query = new URLSearchParams({ interval: live.interval_text, page_size: "100", bookmark: bookmark });
      if (live.source) query.set("source", live.source);
      if (live.zone) query.set("zone", live.zone);
      const answer = await fetch("/api/v1/offers?" + query, { credentials: "same-origin" });
      if (!answer.ok) throw new Error("offers: " + answer.status);
      const page = await answer.json();
      page.items.forEach(function (offer) { seen.add(offer.offer_id); show(offer); });
      bookmark = page.bookmark;
    } while (bookmark);
    Array.from(body.rows).forEach(function (row) {
      if (!seen.has(row.dataset.offerId)) row.remove();
    });
    refresh();
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = t["market." + state];
  }

  const events = new EventSource("/api/v1/events");
  events.addEventListener("open", function () {
    reread().then(function () { setStatus("live"); }, function () { setStatus("offline"); });
  });
  events.addEventListener("error", function () { setStatus("offline"); });
  events.addEventListener("OfferPosted", function (event) { show(JSON.parse(event.data).payload); });
  events.addEventListener("OfferWithdrawn", function (event) { hide(JSON.parse(event.data).payload); });
  events.addEventListener("TradeCreated", function (event) {
    const data = JSON.parse(event.data);
    committed(data);
    if (!rowOf(data.payload.offer_id)) return;
    fetch("/api/v1/offers/" + encodeURIComponent(data.payload.offer_id), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (offer) { if (offer) show(offer); }, function () {});
  });

  // Buying: Buy on a row opens the panel (quantity per interval, what remains by default);
  // Review asks for confirmation; Confirm posts to the API with the session's CSRF token and
  // shows the ledger transaction id, its commit and (from the event stream) its block.
  const panel = document.getElementById("buy");
  const form = document.getElementById("buy-form");
  const quantityField = document.getElementById("buy-quantity");
  const confirmation = document.getElementById("buy-confirmation");
  const sending = document.getElementById("buy-sending");
  const failure = document.getElementById("buy-error");
  const invalid = document.getElementById("buy-invalid");
  const result = document.getElementById("buy-result");
  const block = document.getElementById("buy-block");
  let buying = null; // {offerId, remaining, quantity, transactionId}
  const blocks = {}; // transaction id -> block, for events that arrive before the answer

  // ids and the ledger's words are data, not page text to translate
  function datum(id, text) {
    const element = document.getElementById(id);
    element.textContent = text;
    element.setAttribute("data-datum", "");
  }

  function step(shown) {
    [form, confirmation, sending, failure, invalid, result].forEach(function (part) {
      part.hidden = shown.indexOf(part) < 0;
    });
  }

  function showBlock() {
    if (!buying || !buying.transactionId || !(buying.transactionId in blocks)) return;
    block.dataset.state = "known";
    block.textContent = String(blocks[buying.transactionId]);
  }

  function committed(data) {
    blocks[data.transaction_id] = data.block;
    showBlock();
  }

  body.addEventListener("click", function (event) {
    const button = event.target.closest("button.buy");
    if (!button) return;
    const row = button.closest("tr");
    buying = { offerId: row.dataset.offerId, remaining: Number(row.dataset.remaining) };
    datum("buy-offer", buying.offerId);
    document.getElementById("buy-price").textContent = price.format(Number(row.dataset.price) / 10000);
    quantityField.max = String(buying.remaining);
    quantityField.value = String(buying.remaining);
    panel.hidden = false;
    step([form]);
    quantityField.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const wanted = Number(quantityField.value);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > buying.remaining) {
      step([form, invalid]);
      return;
    }
    buying.quantity = wanted;
    document.getElementById("buy-confirm-quantity").textContent = quantity.format(wanted);
    step([confirmation]);
  });

  document.getElementById("buy-confirm").addEventListener("click", function () {
    step([sending]);
    fetch("/api/v1/offers/" + encodeURIComponent(buying.offerId) + "/buy", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": document.getElementById("buy-csrf").value,
      },
      body: JSON.stringify({ quantity_wh: buying.quantity }),
    }).then(function (answer) {
      return answer.json().then(function (document_) { return [answer, document_]; });
    }).then(function (answered) {
      const answer = answered[0], reply = answered[1];
      if (answer.status !== 201) {
        datum("buy-error-detail", reply.detail || String(answer.status));
        step([form, failure]);
        return;
      }
      buying.transactionId = reply.transaction_id;
      datum("buy-transaction", reply.transaction_id);
      document.getElementById("buy-status").textContent = t["buy.committed"];
      block.dataset.state = "waiting";
      block.textContent = t["buy.block_waiting"];
      step([result]);
      showBlock();
    }, function (error) {
      datum("buy-error-detail", String(error));
      step([form, failure]);
    });
  });

  Array.from(document.querySelectorAll("#buy .buy-cancel")).forEach(function (button) {
    button.addEventListener("click", function () { panel.hidden = true; buying = null; });
  });
})();
