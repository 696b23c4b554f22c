"""Bills: the stored bill of a period, a preview of settling it now, its verification on the
ledger, and its export (the canonical JSON, or CSV for spreadsheets)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from gridledger.cli.bill_export import bill_csv
from gridledger.energy import AsyncEnergyClient, Bill

from gridledger_portal.auth import Caller, actor, audited, energy, portal_of
from gridledger_portal.routers.common import as_json, instant
from gridledger_portal.routers.ledger_reads import Participant, Who, whose_listing

router = APIRouter(prefix="/bills", tags=["bills"])

BillCall = Callable[[AsyncEnergyClient, str | None, int, int], Awaitable[Bill]]
PERIOD = "/{period_start}/{period_end}"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


whose_listing(
    router, "list_bills", "A participant's stored bills, oldest first", lambda c, p: c.bills(p)
)


def _period(period_start: str, period_end: str) -> tuple[int, int]:
    return instant(period_start, "path.period_start"), instant(period_end, "path.period_end")


def period_route(path: str, name: str, summary: str, fetch: BillCall) -> None:
    """``GET PERIOD + path``: ``fetch``'s bill of the period for ``?participant=``."""

    async def endpoint(
        period_start: str,
        period_end: str,
        request: Request,
        who: Who,
        participant: Participant = None,
    ) -> dict[str, Any]:
        start, end = _period(period_start, period_end)
        return dict(as_json(await fetch(energy(request, who), participant, start, end)))

    router.add_api_route(PERIOD + path, endpoint, methods=["GET"], summary=summary, name=name)


period_route(
    "", "get_bill", "The stored bill of a period (YYYY-MM-DD or instants)", AsyncEnergyClient.bill
)
period_route(
    "/preview",
    "preview_bill",
    "What settling the period would give now",
    AsyncEnergyClient.preview_bill,
)


@router.get(PERIOD + "/verify", summary="Recompute the bill from the ledger and compare")
async def verify_bill(
    period_start: str, period_end: str, request: Request, who: Who, participant: Participant = None
) -> dict[str, Any]:
    client = energy(request, who)
    verification = await client.verify_bill(participant, *_period(period_start, period_end))
    return {
        **as_json(verification),
        "mismatched_days": as_json(verification.mismatched_days),
    }


@router.post(PERIOD + "/settle", summary="Settle the period: close its days, issue the bill")
async def settle(
    period_start: str,
    period_end: str,
    request: Request,
    who: Annotated[Caller, Depends(actor)],
    participant: Annotated[str, Query(description="Whose period (utility only).", max_length=300)],
) -> dict[str, Any]:
    start, end = _period(period_start, period_end)
    client = energy(request, who)
    detail = f"{participant} {period_start}..{period_end}"
    async with audited(portal_of(request), who, "settle", detail) as commits:
        settlement = await client.settle_period(participant, start, end)
    return {
        "bill": as_json(settlement.bill),
        "already_settled": settlement.already_settled,
        "transaction_ids": [commit.transaction_id for commit in commits],
    }


@router.get(PERIOD + "/export", summary="Download the bill as JSON or CSV")
async def export_bill(
    period_start: str,
    period_end: str,
    request: Request,
    who: Who,
    participant: Participant = None,
    format: ExportFormat = ExportFormat.JSON,
) -> Response:
    start, end = _period(period_start, period_end)
    bill = await energy(request, who).bill(participant, start, end)
    name = f"bill-{period_start[:10]}-{period_end[:10]}.{format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is ExportFormat.CSV:
        return Response(bill_csv(bill), media_type="text/csv; charset=utf-8", headers=headers)
    body = json.dumps(bill.to_json_dict(), sort_keys=True, indent=2) + "\n"
    return Response(body, media_type="application/json", headers=headers)
