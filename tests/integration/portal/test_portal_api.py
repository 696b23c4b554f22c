"""The portal's HTTP API over real HTTP, against GridOperatorMSP's portal on a devnet of its
own: every endpoint, the contract's refusal kinds as problem documents, paging with the
contract's bookmarks, sessions and CSRF, token scopes, the audit log, another user's bill and
readings refused by the contract, and market events resumed with Last-Event-ID across a
portal restart."""

from __future__ import annotations

import contextlib
import io
import json
import re
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from gridledger.energy import EnergyClient
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS
from gridledger_network.processes import free_ports
from harness.devnet import OPERATOR

from .conftest import (
    API,
    BILLED_DAY,
    Site,
    market_instant,
    post_offer,
    problem_of,
    read_events,
    run_cli,
    start_portal,
)

pytestmark = pytest.mark.integration


def test_openapi_3_1_lists_every_endpoint(site: Site) -> None:
    document = httpx.get(site.base_url + API + "/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = set(document["paths"])
    for path in (
        "/api/v1/session",
        "/api/v1/whoami",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/audit",
        "/api/v1/participants",
        "/api/v1/meters",
        "/api/v1/meters/{meter_id}/readings",
        "/api/v1/readings",
        "/api/v1/readings/submissions/{submission_id}",
        "/api/v1/offers",
        "/api/v1/offers/{offer_id}/buy",
        "/api/v1/offers/{offer_id}/withdraw",
        "/api/v1/trades",
        "/api/v1/tariffs",
        "/api/v1/bills",
        "/api/v1/bills/{period_start}/{period_end}/verify",
        "/api/v1/bills/{period_start}/{period_end}/export",
        "/api/v1/certificates",
        "/api/v1/events",
    ):
        assert path in paths, path


def test_sign_in_sets_a_strict_http_only_cookie_and_whoami_names_the_identity(
    site: Site,
) -> None:
    with site.client() as anonymous:
        problem = problem_of(anonymous.get("/whoami"), 401)
        assert problem["type"].endswith("/not-signed-in")
        wrong = anonymous.post("/session", json={"name": "dave", "password": "nope"})
        problem_of(wrong, 401)
        answer = anonymous.post(
            "/session", json={"name": "dave", "password": site.passwords["dave"]}
        )
        assert answer.status_code == 200
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert "secure" not in cookie  # plain HTTP on 127.0.0.1
        me = anonymous.get("/whoami").json()
    assert me["identity"] == "dave" and me["org"] == OPERATOR and me["via"] == "session"
    assert me["caller"]["participant_id"] == site.ids["dave"]
    assert me["caller"]["role"] == "consumer"
    assert me["csrf_token"] == answer.json()["csrf_token"]


def test_sign_in_is_rate_limited(site: Site) -> None:
    with site.client() as client:
        for _ in range(5):
            problem_of(client.post("/session", json={"name": "limited", "password": "x"}), 401)
        right = {"name": "limited", "password": site.passwords["limited"]}
        refused = client.post("/session", json=right)
        problem_of(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1
        # others still sign in
        other = client.post("/session", json={"name": "dave", "password": site.passwords["dave"]})
        assert other.status_code == 200


def test_state_changing_requests_need_the_sessions_csrf_token(site: Site) -> None:
    offer = post_offer(site, 1_000, 1_000)
    client, csrf = site.signed_in("dave")
    with client:
        path = f"/offers/{offer['offer_id']}/buy"
        problem = problem_of(client.post(path, json={"quantity_wh": 10}), 403)
        assert problem["type"].endswith("/csrf")
        wrong = client.post(path, json={"quantity_wh": 10}, headers={"X-CSRF-Token": "x" + csrf})
        problem_of(wrong, 403)
        assert client.get(f"/offers/{offer['offer_id']}").json()["remaining_wh"] == 1_000
        bought = client.post(path, json={"quantity_wh": 10}, headers={"X-CSRF-Token": csrf})
        assert bought.status_code == 201, bought.text


def test_market_offers_sorted_filtered_paged_bought_withdrawn_and_audited(site: Site) -> None:
    quarter = 8
    prices = [3_000, 1_500, 2_200]
    posted = [post_offer(site, 400, price, quarter) for price in prices]
    ids = {offer["offer_id"] for offer in posted}
    client, csrf = site.signed_in("dave")
    with client:
        interval = market_instant(quarter)
        seen: list[dict[str, Any]] = []
        bookmark, pages = "", 0
        while True:
            page = client.get(
                "/offers", params={"interval": interval, "page_size": 1, "bookmark": bookmark}
            ).json()
            assert page["count"] == len(page["items"]) <= 1
            seen += page["items"]
            pages += 1
            bookmark = page["bookmark"]
            if not bookmark:
                break
        mine = [offer for offer in seen if offer["offer_id"] in ids]
        assert [offer["price"] for offer in mine] == sorted(prices)
        assert pages >= 3
        assert [o["price"] for o in seen] == sorted(o["price"] for o in seen)
        for params, expected in (
            ({"source": "solar", "zone": "south"}, 3),
            ({"source": "wind"}, 0),
        ):
            found = client.get("/offers", params={"interval": interval, **params}).json()
            assert len([o for o in found["items"] if o["offer_id"] in ids]) == expected
        cheapest = mine[0]["offer_id"]
        bought = client.post(
            f"/offers/{cheapest}/buy", json={"quantity_wh": 150}, headers={"X-CSRF-Token": csrf}
        )
        assert bought.status_code == 201, bought.text
        trade = bought.json()["trades"][0]
        transaction_id = bought.json()["transaction_id"]
        assert trade["buyer"] == site.ids["dave"] and trade["quantity_wh"] == 150
        assert client.get(f"/offers/{cheapest}").json()["remaining_wh"] == 250
        trades = client.get("/trades").json()["items"]
        assert trade["trade_id"] in {t["trade_id"] for t in trades}
        audit = client.get("/audit").json()
        buys = [entry for entry in audit if entry["action"] == "buy" and entry["outcome"] == "ok"]
        assert buys[0]["transaction_ids"] == [transaction_id]
    seller, seller_csrf = site.signed_in("solar")
    with seller:
        withdrawn = seller.post(
            f"/offers/{cheapest}/withdraw", headers={"X-CSRF-Token": seller_csrf}
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["offer"]["status"] == "withdrawn"
        solar_trades = seller.get("/trades").json()["items"]
        assert trade["trade_id"] in {t["trade_id"] for t in solar_trades}


def test_tokens_read_scope_cannot_buy_trade_scope_can_and_revoked_fails(site: Site) -> None:
    offer = post_offer(site, 500, 900, quarter=20)
    client, csrf = site.signed_in("dave")
    with client:
        tokens = {}
        for scope in ("read", "trade"):
            made = client.post(
                "/tokens",
                json={"label": f"{scope} app", "scope": scope},
                headers={"X-CSRF-Token": csrf},
            )
            assert made.status_code == 201, made.text
            tokens[scope] = made.json()
        listed = client.get("/tokens").json()
        assert {t["id"] for t in listed} >= {t["id"] for t in tokens.values()}
        assert all("token" not in t for t in listed)
    reader = site.client(Authorization=f"Bearer {tokens['read']['token']}")
    trader = site.client(Authorization=f"Bearer {tokens['trade']['token']}")
    with reader, trader:
        assert reader.get("/whoami").json()["scope"] == "read"
        assert reader.get(f"/offers/{offer['offer_id']}").status_code == 200
        problem = problem_of(
            reader.post(f"/offers/{offer['offer_id']}/buy", json={"quantity_wh": 5}), 403
        )
        assert problem["type"].endswith("/insufficient-scope")
        bought = trader.post(f"/offers/{offer['offer_id']}/buy", json={"quantity_wh": 5})
        assert bought.status_code == 201, bought.text  # no CSRF token with a bearer token
        made_by_token = trader.post("/tokens", json={"label": "x", "scope": "read"})
        problem_of(made_by_token, 403)
        client, csrf = site.signed_in("dave")
        with client:
            revoked = client.delete(
                f"/tokens/{tokens['trade']['id']}", headers={"X-CSRF-Token": csrf}
            )
            assert revoked.status_code == 204
        problem_of(trader.get("/whoami"), 401)
    with site.client(Authorization="Bearer glp_nope_nope") as stranger:
        problem_of(stranger.get("/offers", params={"interval": market_instant()}), 401)


def test_every_refusal_kind_is_a_problem_with_the_contracts_kind_and_message(
    site: Site,
) -> None:
    offer = post_offer(site, 100, 700, quarter=30)
    # dave's meter reports the day after the billed day but one reading: it cannot close
    gappy = BILLED_DAY + DAY_SECONDS
    signer = site.signers["dave"]
    site.utility.submit_readings(
        signer.sign(BILLED_DAY + i * INTERVAL_SECONDS, 120 * i, 0)
        for i in range(96, 193)
        if i != 150
    )
    dave, dave_csrf = site.signed_in("dave")
    solar, solar_csrf = site.signed_in("solar")
    utility, utility_csrf = site.signed_in("utility")
    with dave, solar, utility:
        unaligned = {
            "meter_id": site.meters["solar"],
            "interval_start": format_utc(BILLED_DAY + 7 * 60 + 5 * DAY_SECONDS),
            "interval_count": 1,
            "quantity_wh": 10,
            "price": 1,
        }
        cases = [
            (solar.post("/offers", json=unaligned, headers={"X-CSRF-Token": solar_csrf}),
             400, "invalid", "aligned"),
            (dave.post("/offers", json={**unaligned, "interval_start": market_instant(40)},
                       headers={"X-CSRF-Token": dave_csrf}),
             403, "access denied", ""),
            (dave.get("/offers/no-such-offer"), 404, "not found", "no-such-offer"),
            (dave.post(f"/offers/{offer['offer_id']}/buy", json={"quantity_wh": 101},
                       headers={"X-CSRF-Token": dave_csrf}),
             409, "conflict", ""),
            (utility.post(f"/bills/{format_utc(gappy)[:10]}/"
                          f"{format_utc(gappy + DAY_SECONDS)[:10]}/settle",
                          params={"participant": site.ids["dave"]},
                          headers={"X-CSRF-Token": utility_csrf}),
             409, "incomplete", "not closed"),
        ]  # fmt: skip
        for answer, status, kind, words in cases:
            problem = problem_of(answer, status)
            assert problem["kind"] == kind, problem
            assert words in problem["detail"], problem
            assert not problem["detail"].startswith(kind)  # the message, without its kind
        audit = dave.get("/audit").json()
        assert any(e["outcome"] == "refused (conflict)" for e in audit), audit


def test_validation_errors_are_422_naming_the_field_and_big_bodies_413(site: Site) -> None:
    client, csrf = site.signed_in("solar")
    with client:
        body = {
            "meter_id": site.meters["solar"],
            "interval_start": market_instant(),
            "interval_count": 1,
            "quantity_wh": "lots",
            "price": 1,
        }
        problem = problem_of(client.post("/offers", json=body, headers={"X-CSRF-Token": csrf}), 422)
        assert problem["errors"][0]["field"] == "body.quantity_wh"
        assert problem["detail"].startswith("body.quantity_wh:")
        problem = problem_of(client.get("/offers", params={"interval": "soon"}), 422)
        assert problem["errors"][0]["field"] == "query.interval"
        problem = problem_of(client.get("/offers"), 422)
        assert problem["errors"][0]["field"] == "query.interval"
        big = b'{"readings": [' + b" " * (5 * 1024 * 1024) + b"]}"
        headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
        problem = problem_of(client.post("/readings", content=big, headers=headers), 413)
        assert "limited to" in problem["detail"]


def test_readings_submitted_in_bulk_settled_bill_verified_exported_and_private(
    site: Site,
) -> None:
    signer, meter_id = site.signers["dave"], site.meters["dave"]
    count = DAY_SECONDS // INTERVAL_SECONDS + 1
    readings = [
        signer.sign(BILLED_DAY + i * INTERVAL_SECONDS, 120 * i, 0).to_json_dict()
        for i in range(count)
    ]
    client, csrf = site.signed_in("dave")
    with client:
        accepted = client.post(
            "/readings", json={"readings": readings}, headers={"X-CSRF-Token": csrf}
        )
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.headers["location"]
        assert status_url.endswith(accepted.json()["id"])
        deadline = time.monotonic() + 120
        while (status := client.get(status_url[len(API) :]).json())["status"] == "pending":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert status["status"] == "committed", status
        assert status["stored"] + status["duplicates"] == count and status["transaction_ids"]
        day, next_day = format_utc(BILLED_DAY)[:10], format_utc(BILLED_DAY + DAY_SECONDS)[:10]
        first = client.get(
            f"/meters/{meter_id}/readings",
            params={"from": day, "to": next_day, "page_size": 50},
        ).json()
        assert len(first["items"]) == 50 and first["bookmark"]
        rest = client.get(
            f"/meters/{meter_id}/readings",
            params={"from": day, "to": next_day, "page_size": 1000, "bookmark": first["bookmark"]},
        ).json()
        assert len(first["items"]) + len(rest["items"]) == count
        assert client.get("/meters").json()["items"][0]["meter_id"] == meter_id
        assert client.get(f"/meters/{meter_id}").json()["owner"] == site.ids["dave"]
    utility, utility_csrf = site.signed_in("utility")
    with utility:
        settled = utility.post(
            f"/bills/{day}/{next_day}/settle",
            params={"participant": site.ids["dave"]},
            headers={"X-CSRF-Token": utility_csrf},
        )
        assert settled.status_code == 200, settled.text
        assert settled.json()["transaction_ids"]
        bill = settled.json()["bill"]
    client, _ = site.signed_in("dave")
    with client:
        assert client.get(f"/bills/{day}/{next_day}").json() == bill
        assert [b["bill_id"] for b in client.get("/bills").json()["items"]] == [bill["bill_id"]]
        preview = client.get(f"/bills/{day}/{next_day}/preview").json()
        assert preview["total"] == bill["total"]
        verified = client.get(f"/bills/{day}/{next_day}/verify").json()
        assert verified["matches"] is True and verified["mismatched_days"] == []
        assert verified["recomputed_inputs_hash"] == bill["inputs_hash"]
        exported = client.get(f"/bills/{day}/{next_day}/export", params={"format": "csv"})
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        assert exported.text.splitlines()[-1].startswith("total,Total")
        assert exported.text.splitlines()[-1].endswith(f",{bill['total']}")
        as_json = client.get(f"/bills/{day}/{next_day}/export", params={"format": "json"})
        assert as_json.json() == bill
    solar, _ = site.signed_in("solar")
    with solar:
        refused = solar.get(f"/bills/{day}/{next_day}", params={"participant": site.ids["dave"]})
        problem = problem_of(refused, 403)
        assert problem["kind"] == "access denied"
        refused = solar.get(f"/meters/{meter_id}/readings", params={"from": day, "to": next_day})
        assert problem_of(refused, 403)["kind"] == "access denied"
    auditor, _ = site.signed_in("auditor")
    with auditor:  # auditors read all
        theirs = auditor.get(f"/bills/{day}/{next_day}", params={"participant": site.ids["dave"]})
        assert theirs.json() == bill


def test_participants_tariffs_and_certificates(site: Site) -> None:
    auditor, _ = site.signed_in("auditor")
    dave, _ = site.signed_in("dave")
    with auditor, dave:
        first = auditor.get("/participants", params={"page_size": 2}).json()
        assert len(first["items"]) == 2 and first["bookmark"]
        rest = auditor.get("/participants", params={"bookmark": first["bookmark"]}).json()
        everyone = {p["participant_id"] for p in first["items"] + rest["items"]}
        assert {site.ids[a] for a in ("solar", "dave", "auditor")} <= everyone
        one = auditor.get(f"/participants/{site.ids['dave']}").json()
        assert one["role"] == "consumer"
        assert problem_of(dave.get("/participants"), 403)["kind"] == "access denied"
        tariffs = dave.get("/tariffs").json()["items"]
        assert tariffs[0]["billing_cycle"] == "daily"
        certificates = dave.get("/certificates")
        assert certificates.status_code == 200 and "items" in certificates.json()


def test_market_events_resume_with_last_event_id_after_a_portal_restart(site: Site) -> None:
    client, _ = site.signed_in("dave")
    with client, client.stream("GET", "/events", timeout=60) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines).startswith(":")  # the opening comment: the ledger stream is open
        time.sleep(0.5)
        first = post_offer(site, 300, 1_100, quarter=50)
        (event,) = read_events(lines, 1, timeout=30)
    assert event["event"] == "OfferPosted"
    assert event["data"]["payload"]["offer_id"] == first["offer_id"]
    block, position = (int(part) for part in event["id"].split("-"))
    assert (block, position) == (event["data"]["block"], event["data"]["position"])

    site.stop()  # the portal goes down; the market goes on
    with EnergyClient.connect(site.network.profile, OPERATOR, "city-solar") as solar:
        missed = solar.post_offer(site.meters["solar"], market_instant(51), 1, 200, 1_200)
        solar.withdraw_offer(missed.offer_id)
    site.start()

    client, _ = site.signed_in("dave")
    headers = {"Last-Event-ID": event["id"]}
    with client, client.stream("GET", "/events", headers=headers, timeout=60) as stream:
        posted, withdrawn = read_events(stream.iter_lines(), 2, timeout=30)
    assert (posted["event"], withdrawn["event"]) == ("OfferPosted", "OfferWithdrawn")
    assert posted["data"]["payload"]["offer_id"] == missed.offer_id
    assert withdrawn["data"]["payload"]["status"] == "withdrawn"
    assert posted["id"] != event["id"]
    with site.client() as anonymous:
        problem_of(anonymous.get("/events"), 401)
    client, _ = site.signed_in("dave")
    with client:
        bad = client.get("/events", headers={"Last-Event-ID": "yesterday"})
        assert problem_of(bad, 422)["errors"][0]["field"] == "header.last-event-id"


def test_cli_errors_are_one_line(site: Site) -> None:
    home = str(site.network.home)
    unknown = run_cli("add-user", "eve", "--identity", "nobody", "--home", home, "--org", OPERATOR)
    assert unknown.returncode == 1
    assert unknown.stderr.strip().count("\n") == 0, unknown.stderr
    assert "no identity 'nobody'" in unknown.stderr
    taken = run_cli("add-user", "dave", "--identity", "dave", "--home", home, "--org", OPERATOR)
    assert taken.returncode == 1 and "already a user" in taken.stderr
    busy = run_cli("serve", "--home", home, "--org", OPERATOR, "--port", str(site.port))
    assert busy.returncode == 1 and "Traceback" not in busy.stderr
    assert busy.stderr.strip().splitlines() == [busy.stderr.strip()]
    assert f"cannot listen on 127.0.0.1:{site.port}" in busy.stderr


def test_behind_tls_the_session_cookie_is_secure(site: Site, tmp_path: Path) -> None:
    # the devnet's own TLS pair of GridOperatorMSP's peer (its names include 127.0.0.1)
    (tls,) = site.network.home.glob("**/peers/peer0.gridoperator.*/tls")
    cert, key = tls / "server.crt", tls / "server.key"
    port = free_ports(1)[0]
    options = ("--tls-cert", str(cert), "--tls-key", str(key))
    trust = ssl.create_default_context(cafile=str(tls / "ca.crt"))
    process = start_portal(site.network.home, port, tmp_path / "tls.log", *options, verify=trust)
    try:
        base = f"https://127.0.0.1:{port}{API}"
        with httpx.Client(base_url=base, verify=trust) as client:
            answer = client.post(
                "/session", json={"name": "dave", "password": site.passwords["dave"]}
            )
            assert answer.status_code == 200, answer.text
            cookie = answer.headers["set-cookie"].lower()
            assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
            assert client.get("/whoami").json()["identity"] == "dave"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_docs_python_example_and_the_readme_curl_lines_run_as_written(site: Site) -> None:
    root = Path(__file__).resolve().parents[3]
    (example,) = re.findall(r"```python\n(.*?)```", (root / "docs/portal-api.md").read_text(), re.S)
    namespace: dict[str, Any] = {"BASE": site.base_url + API, "PASSWORD": site.passwords["dave"]}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(example, "docs/portal-api.md", "exec"), namespace)
    namespace["watcher"].close()
    assert namespace["made"]["scope"] == "read" and "items" in namespace["offers"]

    readme = (root / "README.md").read_text()
    section = readme[readme.index("## The market portal's HTTP API") :]
    (commands,) = re.findall(r"```sh\n(.*?)```", section, re.S)[:1]
    curl = [
        line.replace("\\\n", "") for line in re.findall(r"^curl .*?(?<!\\)$", commands, re.M | re.S)
    ]
    assert len(curl) == 2
    script = "\n".join(curl).replace("<one-time password>", site.passwords["dave"])
    script = script.replace("127.0.0.1:8080", f"127.0.0.1:{site.port}")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=site.network.home,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    signed_in, offers = (
        json.loads(part) for part in done.stdout.replace("}{", "}\n{").splitlines()
    )
    assert signed_in["user"] == "dave" and "items" in offers


def test_password_change_and_sign_out(site: Site) -> None:
    client, csrf = site.signed_in("auditor")
    old = site.passwords["auditor"]
    with client:
        assert client.get("/whoami").json()["temporary_password"] is True
        headers = {"X-CSRF-Token": csrf}
        short = client.post("/account/password", json={"current": old, "new": "x"}, headers=headers)
        assert problem_of(short, 422)["errors"][0]["field"] == "body.new"
        new = old[::-1] + "-renewed"
        wrong = {"current": old + "x", "new": new}
        problem_of(client.post("/account/password", json=wrong, headers=headers), 401)
        changed = client.post(
            "/account/password", json={"current": old, "new": new}, headers=headers
        )
        assert changed.status_code == 204
        site.passwords["auditor"] = new
        cookie = client.cookies["gridledger_session"]
        assert client.delete("/session", headers=headers).status_code == 204
    with site.client() as again:
        again.cookies.set("gridledger_session", cookie)
        problem_of(again.get("/whoami"), 401)  # the session is gone on the server too
        problem_of(again.post("/session", json={"name": "auditor", "password": old}), 401)
        signed_in = again.post("/session", json={"name": "auditor", "password": new})
        assert signed_in.json()["temporary_password"] is False


def test_a_submission_is_its_submitters_and_readings_are_checked_field_by_field(
    site: Site,
) -> None:
    dave, dave_csrf = site.signed_in("dave")
    solar, _ = site.signed_in("solar")
    with dave, solar:
        reading = site.signers["dave"].sign(BILLED_DAY, 0, 0).to_json_dict()
        bad = [reading, {**reading, "signature": "not base64!"}]
        refused = dave.post(
            "/readings", json={"readings": bad}, headers={"X-CSRF-Token": dave_csrf}
        )
        problem = problem_of(refused, 422)
        assert problem["errors"][0]["field"] == "body.readings.1"
        accepted = dave.post(
            "/readings", json={"readings": [reading]}, headers={"X-CSRF-Token": dave_csrf}
        )
        assert accepted.status_code == 202
        path = f"/readings/submissions/{accepted.json()['id']}"
        problem_of(solar.get(path), 404)
        assert dave.get(path).status_code == 200
