"""Bulk submission of signed meter readings: accepted at once (202) with an id, submitted in
the background through the energy client (batched, retried; an identical reading submitted
again is a no-op), its outcome at ``GET /readings/submissions/{id}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from gridledger_domain import SignedReading
from gridledger_domain.errors import GridLedgerError
from pydantic import BaseModel, Field

from gridledger_portal.auth import Caller, actor, caller, portal_of
from gridledger_portal.errors import PortalError, Problem

router = APIRouter(prefix="/readings", tags=["readings"])

MAX_READINGS = 20_000


class SignedReadingIn(BaseModel):
    """A reading as its meter signed it (``docs/meter-readings.md``)."""

    meter_id: str = Field(min_length=1, max_length=64)
    interval_start: str = Field(description="YYYY-MM-DDTHH:MM:SSZ, on a 15-minute boundary.")
    import_wh: int = Field(ge=0)
    export_wh: int = Field(ge=0)
    signature: str = Field(description="The meter's DER ECDSA signature, base64.")


class ReadingsIn(BaseModel):
    readings: list[SignedReadingIn] = Field(min_length=1, max_length=MAX_READINGS)


@router.post("", status_code=202, summary="Submit signed readings (202: see the submission)")
async def submit_readings(
    body: ReadingsIn,
    request: Request,
    response: Response,
    who: Annotated[Caller, Depends(actor)],
) -> dict[str, Any]:
    documents = [reading.model_dump() for reading in body.readings]
    for index, document in enumerate(documents):
        try:
            SignedReading.from_json_dict(document)
        except GridLedgerError as error:
            loc = ("body", "readings", index)
            problem = {"loc": loc, "msg": str(error), "type": "value_error"}
            raise RequestValidationError([problem]) from None
    portal = portal_of(request)
    submission_id = portal.accounts.add_submission(who.user.name, documents)
    portal.accounts.audit(
        who.user.name,
        who.via,
        "submit readings",
        "accepted",
        [],
        f"{submission_id}: {len(documents)} readings",
    )
    submission = portal.accounts.submission(submission_id)
    assert submission is not None
    portal.start_submission(submission)
    location = f"/api/v1/readings/submissions/{submission_id}"
    response.headers["Location"] = location
    return {"id": submission_id, "status": "pending", "readings": len(documents), "url": location}


@router.get("/submissions/{submission_id}", summary="A readings submission's status")
async def submission_status(
    submission_id: str, request: Request, who: Annotated[Caller, Depends(caller)]
) -> dict[str, Any]:
    submission = portal_of(request).accounts.submission(submission_id)
    if submission is None or submission.user != who.user.name:
        raise PortalError(Problem.NOT_FOUND, f"you have no readings submission {submission_id}")
    return submission.to_json_dict()
