// The producer page, live: my sales appear as they happen and my offers' remaining energy
// follows them (sold out or withdrawn offers go), from the portal's server-sent market events
// (/api/v1/events). No inline script: the page's data (my participant id, language, messages)
// comes from its JSON block.
"use strict";
(function () {
  const live = JSON.parse(document.getElementById("producer-live").textContent);
  const t = live.messages;
  const sales = document.querySelector("#sales tbody");
  const offers = document.querySelector("#my-offers tbody");
  const noSales = document.getElementById("no-sales");
  const noOffers = document.getElementById("no-offers");
  const status = document.getElementById("live-status");
  const quantity = new Intl.NumberFormat("en-US");
  const price = new Intl.NumberFormat("en-US", { minimumFractionDigits: 4, maximumFractionDigits: 4 });

  function cell(text, className, datum) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    if (datum) td.setAttribute("data-datum", "");
    return td;
  }

  function offerRow(id) {
    return offers.querySelector('tr[data-offer-id="' + CSS.escape(id) + '"]');
  }

  function refresh() {
    noSales.hidden = sales.rows.length > 0;
    noOffers.hidden = offers.rows.length > 0;
  }

  function sold(data) {
    const sale = data.payload;
    if (sale.seller !== live.me) return;
    if (!sales.querySelector('tr[data-transaction-id="' + CSS.escape(data.transaction_id) + '"]')) {
      const row = document.createElement("tr");
      row.dataset.transactionId = data.transaction_id;
      row.className = "fresh";
      row.append(
        cell(data.transaction_id, "id", true),
        cell(sale.offer_id, "id", true),
        cell(sale.buyer, "id", true),
        cell(quantity.format(sale.quantity_wh), "number", false),
        cell(String(sale.intervals), "number", false),
        cell(price.format(sale.price / 10000), "number", false),
      );
      sales.insertBefore(row, sales.firstChild);
    }
    const mine = offerRow(sale.offer_id);
    if (mine) {
      fetch("/api/v1/offers/" + encodeURIComponent(sale.offer_id), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (offer) { if (offer) update(offer); }, function () {});
    }
    refresh();
  }

  function update(offer) {
    const row = offerRow(offer.offer_id);
    if (!row) return;
    if (offer.status !== "open" || offer.remaining_wh <= 0) {
      row.remove();
    } else {
      row.querySelector(".remaining").textContent = quantity.format(offer.remaining_wh);
    }
    refresh();
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = t["market." + state];
  }

  const events = new EventSource("/api/v1/events");
  events.addEventListener("open", function () { setStatus("live"); });
  events.addEventListener("error", function () { setStatus("offline"); });
  events.addEventListener("TradeCreated", function (event) { sold(JSON.parse(event.data)); });
  events.addEventListener("OfferWithdrawn", function (event) { update(JSON.parse(event.data).payload); });
})();
