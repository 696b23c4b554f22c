// The producer page, live: my sales appear as they happen and my offers' remaining energy
// follows them (sold out or withdrawn offers go), from the portal's server-sent market events
// (/api/v1/events). No inline script: the page's data (my participant id, language, messages)
// comes from its JSON block.
"use strict";
(function () {
  const live = JSON.parse(document.getElementById("producer-live").textContent);
  const sales = document.querySelector("#sales tbody");
  const offers = document.querySelector("#my-offers tbody");
  // numbers as the server writes them (i18n.quantity_text, i18n.price_text)
  const quantity = new Intl.NumberFormat("en-US");
  const price = new Intl.NumberFormat("en-US", { minimumFractionDigits: 4, maximumFractionDigits: 4 });

  function offerRow(id) {
    return offers.querySelector('tr[data-offer-id="' + CSS.escape(id) + '"]');
  }

  function refresh() {
    document.getElementById("no-sales").hidden = sales.rows.length > 0;
    document.getElementById("no-offers").hidden = offers.rows.length > 0;
  }

  function sold(data) {
    const sale = data.payload;
    if (sale.seller !== live.me) return;
    if (!sales.querySelector('tr[data-transaction-id="' + CSS.escape(data.transaction_id) + '"]')) {
      // a row like the server's, from the page's <template>, filled in column order
      const row = document.getElementById("sale-row").content.firstElementChild.cloneNode(true);
      row.dataset.transactionId = data.transaction_id;
      const texts = [
        data.transaction_id,
        sale.offer_id,
        sale.buyer,
        quantity.format(sale.quantity_wh),
        String(sale.intervals),
        price.format(sale.price / 10000),
      ];
      Array.from(row.cells).forEach(function (td, index) { td.textContent = texts[index]; });
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
    const status = document.getElementById("live-status");
    status.dataset.state = state;
    status.textContent = live.messages["market." + state];
  }

  const events = new EventSource("/api/v1/events");
  events.addEventListener("open", function () { setStatus("live"); });
  events.addEventListener("error", function () { setStatus("offline"); });
  events.addEventListener("TradeCreated", function (event) { sold(JSON.parse(event.data)); });
  events.addEventListener("OfferWithdrawn", function (event) { update(JSON.parse(event.data).payload); });
})();
