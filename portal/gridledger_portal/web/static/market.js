// The market board, live: offers posted for this interval appear, withdrawn or sold-out ones
// disappear, from the portal's server-sent market events (/api/v1/events). Each time the stream
// (re)opens the board is read again (/api/v1/offers), so nothing committed before the stream
// began, or while it was down, is missed. No inline script: the page's data (interval,
// language, messages) comes from its JSON block.
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

  function show(offer) {
    const old = rowOf(offer.offer_id);
    if (old) old.remove();
    if (offer.status !== "open" || offer.remaining_wh <= 0 || !covers(offer)) {
      refresh();
      return;
    }
    const row = document.createElement("tr");
    row.dataset.offerId = offer.offer_id;
    row.dataset.price = String(offer.price);
    row.className = old ? "" : "fresh";
    row.append(
      cell(offer.offer_id, "id", true),
      cell(t["source." + offer.source] || offer.source, "", false),
      cell(offer.zone, "", true),
      cell(quantity.format(offer.remaining_wh), "number", false),
      cell(price.format(offer.price / 10000), "number", false),
    );
    const after = Array.from(body.rows).find(function (other) {
      const p = Number(other.dataset.price);
      return p > offer.price || (p === offer.price && other.dataset.offerId > offer.offer_id);
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
})();
