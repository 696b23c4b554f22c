"""The ``energy`` contract: transaction functions over the ledger layer.

Every function identifies the caller from its certificate, validates its input and either
completes or refuses with a message starting with the kind of refusal (``invalid:``,
``access denied:``, ``not found:``, ``conflict:``, ``incomplete:``); a refusal writes nothing.

Every listing (``ListParticipants``, ``ListMeters``, ``GetReadings``, ``ListOffers``,
``ListTrades``, ``ListTariffs``, ``ListBills``, ``ListCertificates``, ``ListDataCustodians``,
``AuditMeterData``)
takes two optional trailing arguments, page size and bookmark, and answers one page (see
``ledger.paging``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from gridledger_domain.refusals import Refusal

from gridledger_chaincode.contract import Context, Contract, ContractError, query, transaction
from gridledger_chaincode.energy.ledger import (
    audit,
    bills,
    certificates,
    erasure,
    market,
    meters,
    participants,
    private_hashes,
    readings,
    settlement,
    statements,
    tariffs,
)
from gridledger_chaincode.energy.ledger import (
    custodians as custodians_ledger,
)
from gridledger_chaincode.energy.ledger.access import UTILITY_MSP, Caller, identify
from gridledger_chaincode.energy.ledger.paging import page_request
from gridledger_chaincode.energy.ledger.state import State

T = TypeVar("T")


class EnergyContract(Contract):
    name: ClassVar[str] = "energy"
    title: ClassVar[str] = "GridLedger electricity market and billing"
    utility_msp: ClassVar[str] = UTILITY_MSP

    def _run(self, ctx: Context, action: Callable[[State, Caller], T]) -> T:
        state = State(ctx.stub)
        try:
            caller = identify(state, ctx.client_identity, self.utility_msp)
            return action(state, caller)
        except Refusal as exc:
            raise ContractError(str(exc)) from exc

    # -- participants ---------------------------------------------------------------------------
    @transaction
    def register_participant(
        self, ctx: Context, msp_id: str, subject: str, role: str, zone: str, display_name: str
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: participants.register_participant(
                s, c, msp_id, subject, role, zone, display_name
            ).to_json_dict(),
        )

    @query
    def get_participant(self, ctx: Context, participant_id: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: participants.get_participant(s, c, participant_id))

    @query
    def list_participants(self, ctx: Context, *page: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: participants.list_participants(s, c, page_request(page)))

    @query
    def who_am_i(self, ctx: Context) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: participants.who_am_i(c))

    # -- meters ---------------------------------------------------------------------------------
    @transaction
    def register_meter(
        self,
        ctx: Context,
        meter_id: str,
        owner: str,
        kind: str,
        source: str,
        zone: str,
        public_key_pem: str,
        *options: str,
    ) -> dict[str, Any]:
        """``options``: optional, the meter's interval length (15, 30 or 60; 15), then the data
        custodians allowed to vouch for its readings (JSON array of ids)."""
        return self._run(
            ctx,
            lambda s, c: meters.register_meter(
                s, c, meter_id, owner, kind, source, zone, public_key_pem, *options
            ).to_json_dict(),
        )

    @transaction
    def set_meter_custodians(self, ctx: Context, meter_id: str, custodians: str) -> dict[str, Any]:
        """Name the data custodians allowed to vouch for a meter (JSON array; utility only)."""
        return self._run(
            ctx,
            lambda s, c: custodians_ledger.set_meter_custodians(
                s, c, meter_id, custodians
            ).to_json_dict(),
        )

    # -- data custodians ------------------------------------------------------------------------
    @transaction
    def register_data_custodian(
        self, ctx: Context, custodian_id: str, public_key_pem: str, display_name: str
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: custodians_ledger.register_custodian(
                s, c, custodian_id, public_key_pem, display_name
            ).to_json_dict(),
        )

    @query
    def get_data_custodian(self, ctx: Context, custodian_id: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: custodians_ledger.get_custodian(s, c, custodian_id))

    @query
    def list_data_custodians(self, ctx: Context, *page: str) -> dict[str, Any]:
        return self._run(
            ctx, lambda s, c: custodians_ledger.custodians_page(s, c, page_request(page))
        )

    @transaction
    def deactivate_meter(self, ctx: Context, meter_id: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: meters.deactivate_meter(s, c, meter_id).to_json_dict())

    @query
    def get_meter(self, ctx: Context, meter_id: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: meters.get_meter(s, c, meter_id))

    @query
    def list_meters(self, ctx: Context, owner: str, *page: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: meters.meters_page(s, c, owner, page_request(page)))

    # -- readings -------------------------------------------------------------------------------
    @transaction
    def submit_readings(self, ctx: Context, count: str, sha256: str) -> dict[str, Any]:
        """The readings travel as transient data ``readings``; the arguments are their count
        and SHA-256 (``gridledger_domain.meter_data.readings_request``)."""
        return self._run(ctx, lambda s, c: readings.submit_readings(s, c, count, sha256))

    @query
    def get_readings(
        self, ctx: Context, meter_id: str, start: str, end: str, *page: str
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: readings.get_readings(s, c, meter_id, start, end, page_request(page)),
        )

    # -- erasure (docs/private-data.md, "Erasure") ---------------------------------------------
    @query
    def list_household_data(
        self, ctx: Context, participant_id: str, include_bills: bool, *page: str
    ) -> dict[str, Any]:
        """Descriptors (never values) of a household's private data, one page at a time."""
        household = (participant_id, include_bills)
        return self._run(ctx, lambda s, c: erasure.list_household_data(s, c, *household, page))

    @transaction
    def erase_household(
        self, ctx: Context, participant_id: str, include_bills: bool, count: str, sha256: str
    ) -> dict[str, Any]:
        """The descriptors travel as transient data ``descriptors``; the arguments are their
        count and SHA-256 (``gridledger_domain.erasure.erasure_request``)."""
        return self._run(
            ctx,
            lambda s, c: erasure.erase_household(
                s, c, participant_id, include_bills, count, sha256
            ),
        )

    # -- auditing private data (docs/private-data.md) -----------------------------------------
    @query
    def audit_meter_data(
        self, ctx: Context, participant_id: str, first_day: str, last_day: str, *page: str
    ) -> dict[str, Any]:
        """A household's private records of days ``first..last`` (a member's peer answers)."""
        return self._run(
            ctx,
            lambda s, c: audit.audit_meter_data(
                s, c, participant_id, first_day, last_day, page_request(page)
            ),
        )

    @query
    def private_data_hashes(self, ctx: Context, collection: str, keys: str) -> dict[str, Any]:
        """The hashes this peer holds for ``keys`` (JSON array) of a meter-data collection."""
        return self._run(
            ctx, lambda s, c: private_hashes.private_data_hashes(s, c, collection, keys)
        )

    # -- market ---------------------------------------------------------------------------------
    @transaction
    def post_offer(
        self,
        ctx: Context,
        meter_id: str,
        interval_start: str,
        interval_count: int,
        quantity_wh: int,
        price: int,
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: market.post_offer(
                s, c, meter_id, interval_start, interval_count, quantity_wh, price
            ).to_json_dict(),
        )

    @query
    def list_offers(
        self, ctx: Context, interval_start: str, source: str, zone: str, *page: str
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: market.offers_for_interval(
                s, interval_start, source, zone, page_request(page)
            ),
        )

    @query
    def get_offer(self, ctx: Context, offer_id: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: market.get_offer(s, offer_id).to_json_dict())

    @transaction
    def buy(self, ctx: Context, offer_id: str, quantity_wh: int) -> list[dict[str, Any]]:
        return self._run(
            ctx,
            lambda s, c: [t.to_json_dict() for t in market.buy_offer(s, c, offer_id, quantity_wh)],
        )

    @transaction
    def withdraw_offer(self, ctx: Context, offer_id: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: market.withdraw_offer(s, c, offer_id).to_json_dict())

    @query
    def list_trades(self, ctx: Context, participant_id: str, *page: str) -> dict[str, Any]:
        return self._run(
            ctx, lambda s, c: market.trades_page(s, c, participant_id, page_request(page))
        )

    # -- tariffs --------------------------------------------------------------------------------
    @transaction
    def set_tariff(self, ctx: Context, tariff: dict[str, Any]) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: tariffs.set_tariff(s, c, tariff).to_json_dict())

    @query
    def list_tariffs(self, ctx: Context, *page: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: tariffs.tariffs_page(s, page_request(page)))

    # -- day statements -------------------------------------------------------------------------
    @transaction
    def close_days(
        self, ctx: Context, day: str, participant_ids: list[Any], estimate: bool
    ) -> dict[str, Any]:
        return self._run(
            ctx, lambda s, c: statements.close_days(s, c, day, participant_ids, estimate)
        )

    @query
    def closing_progress(
        self, ctx: Context, participant_ids: list[Any], first_day: str, last_day: str
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: statements.closing_progress(s, c, participant_ids, first_day, last_day),
        )

    @transaction
    def revise_day(self, ctx: Context, participant_id: str, day: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: statements.revise_day(s, c, participant_id, day))

    @query
    def list_days_to_revise(self, ctx: Context, *page: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: statements.days_to_revise(s, c, page_request(page)))

    @query
    def get_day_statement(self, ctx: Context, participant_id: str, day: str) -> str:
        return self._run(ctx, lambda s, c: statements.get_statement(s, c, participant_id, day))

    @query
    def verify_day_statement(self, ctx: Context, participant_id: str, day: str) -> dict[str, Any]:
        return self._run(ctx, lambda s, c: statements.verify_statement(s, c, participant_id, day))

    # -- settlement -----------------------------------------------------------------------------
    @transaction
    def settle(self, ctx: Context, participant_id: str, period_start: str, period_end: str) -> str:
        return self._run(
            ctx,
            lambda s, c: settlement.settle_period(s, c, participant_id, period_start, period_end),
        )

    @query
    def get_bill(
        self, ctx: Context, participant_id: str, period_start: str, period_end: str
    ) -> str:
        return self._run(
            ctx, lambda s, c: settlement.get_bill(s, c, participant_id, period_start, period_end)
        )

    @query
    def list_bills(self, ctx: Context, participant_id: str, *page: str) -> dict[str, Any]:
        return self._run(
            ctx, lambda s, c: bills.bills_page(s, c, participant_id, page_request(page))
        )

    @query
    def preview_bill(
        self, ctx: Context, participant_id: str, period_start: str, period_end: str
    ) -> str:
        return self._run(
            ctx,
            lambda s, c: settlement.preview_bill(s, c, participant_id, period_start, period_end),
        )

    @query
    def verify_bill(
        self, ctx: Context, participant_id: str, period_start: str, period_end: str
    ) -> dict[str, Any]:
        return self._run(
            ctx,
            lambda s, c: settlement.verify_bill(s, c, participant_id, period_start, period_end),
        )

    # -- certificates ---------------------------------------------------------------------------
    @query
    def list_certificates(self, ctx: Context, owner: str, *page: str) -> dict[str, Any]:
        return self._run(
            ctx, lambda s, c: certificates.list_certificates(s, c, owner, page_request(page))
        )

    @transaction
    def migrate_certificate_supply(self, ctx: Context, owner: str) -> dict[str, Any]:
        """Move a page of ``owner``'s certificate supply entries from the first index layout
        (ledgers written before the by-day layout); call again while ``more``."""
        return self._run(ctx, lambda s, c: certificates.migrate_certificate_supply(s, c, owner))
