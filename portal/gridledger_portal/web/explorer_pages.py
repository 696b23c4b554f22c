"""The utility's and the auditor's pages: participants, their meters and the settlement status
(``/utility``, the utility only), and the ledger explorer (``/auditor``, auditors and the
utility): the latest blocks newest first, a block's transactions with their validation codes
and endorsing organisations, and one transaction.

Every call is made with the signed-in user's own Fabric identity, so the contract (and, for
blocks, the channel's ``qscc`` ACL) decides what the user may read; the role check here only
chooses between the page and a localized 403. The explorer shows what a block says about its
transactions (ids, times, organisations, chaincode function, validation), never their
arguments or results.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from gridledger.energy import AsyncEnergyClient
from gridledger.gateway import AsyncNetwork, BlockInfo, BlockTransaction, GatewayError
from gridledger_domain.refusals import AccessDenied, Refusal
from gridledger_domain.timeutil import DAY_SECONDS, day_of
from gridledger_domain.vocabulary import BILLED_ROLES, Role

from gridledger_portal.accounts import User
from gridledger_portal.auth import SESSION_COOKIE, portal_of
from gridledger_portal.routers.common import instant
from gridledger_portal.web import i18n
from gridledger_portal.web.pages import lang_of, page_headers, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20  # participants and meters per page
BLOCKS_PER_PAGE = 10
MAX_PERIOD_DAYS = 366
UTILITY_ROLES = frozenset({Role.UTILITY})
AUDITOR_ROLES = frozenset({Role.AUDITOR, Role.UTILITY})
TRANSLATED_CODES = frozenset(
    {
        "VALID",
        "MVCC_READ_CONFLICT",
        "PHANTOM_READ_CONFLICT",
        "ENDORSEMENT_POLICY_FAILURE",
        "DUPLICATE_TXID",
    }
)

Text = Annotated[str | None, Query(max_length=200)]


class _Refused(Exception):
    """Answer with the page ``response`` instead (sign-in redirect, 403, 404)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _with_lang(path: str, request: Request) -> str:
    lang = request.query_params.get("lang")
    return f"{path}?lang={lang}" if lang in i18n.LANGUAGES else path


def _signed_in(request: Request) -> tuple[User, str]:
    portal = portal_of(request)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = portal.accounts.session(session_id) if session_id else None
    if session is None:
        redirect = RedirectResponse(_with_lang("/sign-in", request), status_code=303)
        raise _Refused(page_headers(redirect))
    return session.user, session.csrf


def _refusal(request: Request, user: User, csrf: str, status: int, message: str) -> _Refused:
    page = render(
        request,
        "refused.html",
        status,
        user=user.name,
        csrf=csrf,
        title="refused.title",
        reason=message,
    )
    return _Refused(page_headers(page))


async def _allowed(
    request: Request, user: User, csrf: str, client: AsyncEnergyClient, roles: frozenset[Role]
) -> None:
    """The user's role, as the contract sees the user's identity, is one of ``roles``."""
    try:
        me = await client.whoami()
    except Refusal as error:
        raise _refusal(request, user, csrf, 403, "forbidden.text") from error
    if me.role not in roles:
        raise _refusal(request, user, csrf, 403, "forbidden.text")


# -- the utility ----------------------------------------------------------------------------------
@router.get("/utility")
async def utility_page(
    request: Request,
    after: Annotated[str, Query(max_length=4096)] = "",
    owner: Text = None,
    meters_after: Annotated[str, Query(max_length=4096)] = "",
    first: Text = None,
    last: Text = None,
) -> Response:
    try:
        user, csrf = _signed_in(request)
        client = portal_of(request).ledger.energy(user.identity)
        await _allowed(request, user, csrf, client, UTILITY_ROLES)
        lang = lang_of(request)
        participants = await client.participants().page(after, PAGE_SIZE)
        meters = None
        if owner:
            meters = await client.meters(owner).page(meters_after, PAGE_SIZE)
        yesterday = day_of(int(time.time())) - DAY_SECONDS
        first_day = _day(first, "query.first", yesterday)
        last_day = _day(last, "query.last", first_day)
        span = (last_day - first_day) // DAY_SECONDS + 1
        names = {p.participant_id: p.display_name for p in participants.items}
        billed = [p.participant_id for p in participants.items if p.role in BILLED_ROLES]
        progress: list[dict[str, Any]] = []
        period_error = not 1 <= span <= MAX_PERIOD_DAYS
        if billed and not period_error:
            found = await client.closing_progress(billed, first_day, last_day)
            progress = [
                {
                    "participant": item.participant,
                    "name": names.get(item.participant, ""),
                    "closed": i18n.quantity_text(item.closed),
                    "days": i18n.quantity_text(span),
                    "all_closed": item.first_open is None,
                    "first_open": (
                        i18n.day_text(item.first_open, lang) if item.first_open is not None else ""
                    ),
                }
                for item in found
            ]
    except _Refused as refused:
        return refused.response
    except AccessDenied:  # the contract's word: this identity may not read these
        return _refusal(request, user, csrf, 403, "forbidden.text").response
    page = render(
        request,
        "utility.html",
        user=user.name,
        csrf=csrf,
        participants=participants.items,
        participants_next=participants.bookmark,
        participants_paged=bool(after),
        participants_after=after,
        owner=owner or "",
        owner_name=names.get(owner or "", ""),
        meters=meters.items if meters is not None else None,
        meters_next=meters.bookmark if meters is not None else "",
        meters_paged=bool(meters_after),
        first_value=time.strftime("%Y-%m-%d", time.gmtime(first_day)),
        last_value=time.strftime("%Y-%m-%d", time.gmtime(last_day)),
        first_label=i18n.day_text(first_day, lang),
        last_label=i18n.day_text(last_day, lang),
        period_error=period_error,
        progress=progress,
        billed=bool(billed),
    )
    return page_headers(page)


def _day(text: str | None, field: str, default: int) -> int:
    return default if not text else day_of(instant(text[:10], field))


# -- the auditor ----------------------------------------------------------------------------------
@router.get("/auditor")
async def auditor_page(
    request: Request,
    before: Annotated[int | None, Query(ge=1)] = None,
    block: Annotated[int | None, Query(ge=0)] = None,
    tx: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    try:
        user, csrf = _signed_in(request)
        identity = portal_of(request).ledger.identity(user.identity)
        await _allowed(request, user, csrf, identity.energy, AUDITOR_ROLES)
        lang = lang_of(request)
        network = identity.network
        info = await network.chain_info()
        context: dict[str, Any] = {"height": i18n.quantity_text(info.height)}
        if tx:
            context["transaction"] = await _transaction(request, user, csrf, network, tx, lang)
        elif block is not None:
            context["block"] = await _block(request, user, csrf, network, block, info.height, lang)
        else:
            top = min(before or info.height, info.height)
            numbers = list(range(top - 1, max(top - BLOCKS_PER_PAGE, 0) - 1, -1))
            blocks = await asyncio.gather(*(network.block(number) for number in numbers))
            context["blocks"] = [_block_row(found, lang) for found in blocks]
            context["older"] = numbers[-1] if numbers and numbers[-1] > 0 else None
            context["paged"] = top < info.height
    except _Refused as refused:
        return refused.response
    page = render(request, "auditor.html", user=user.name, csrf=csrf, **context)
    return page_headers(page)


async def _block(
    request: Request,
    user: User,
    csrf: str,
    network: AsyncNetwork,
    number: int,
    height: int,
    lang: str,
) -> dict[str, Any]:
    if number >= height:
        raise _refusal(request, user, csrf, 404, "auditor.not_found")
    found = await network.block(number)
    return {
        **_block_row(found, lang),
        "previous_hash": found.previous_hash.hex(),
        "data_hash": found.data_hash.hex(),
        "transactions": [_transaction_row(t, lang) for t in found.transactions],
    }


async def _transaction(
    request: Request, user: User, csrf: str, network: AsyncNetwork, tx_id: str, lang: str
) -> dict[str, Any]:
    try:
        found = await network.transaction_block(tx_id.strip())
    except GatewayError as error:
        raise _refusal(request, user, csrf, 404, "auditor.not_found") from error
    for transaction in found.transactions:
        if transaction.transaction_id == tx_id.strip():
            return _transaction_row(transaction, lang)
    raise _refusal(request, user, csrf, 404, "auditor.not_found")


def _block_row(found: BlockInfo, lang: str) -> dict[str, Any]:
    times = [t.timestamp for t in found.transactions if t.timestamp > 0]
    return {
        "number": found.number,
        "count": i18n.quantity_text(len(found.transactions)),
        "valid": i18n.quantity_text(sum(1 for t in found.transactions if t.valid)),
        "time": i18n.interval_text(min(times), lang) if times else "",
    }


def _transaction_row(transaction: BlockTransaction, lang: str) -> dict[str, Any]:
    code = transaction.validation_code
    return {
        "transaction_id": transaction.transaction_id,
        "block": transaction.block_number,
        "index": transaction.index,
        "time": i18n.interval_text(transaction.timestamp, lang) if transaction.timestamp else "",
        "kind": f"tx_kind.{transaction.kind}",
        "kind_known": f"tx_kind.{transaction.kind}" in i18n.CATALOGUE,
        "kind_name": transaction.kind,
        "creator": transaction.creator_msp,
        "chaincode": transaction.chaincode,
        "function": transaction.function,
        "code": code,
        "code_key": f"code.{code}" if code in TRANSLATED_CODES else "code.other",
        "valid": transaction.valid,
        "endorsers": list(transaction.endorsers),
    }
