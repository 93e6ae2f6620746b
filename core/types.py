"""Types shared by the API's parameters."""

from datetime import time
from typing import Annotated

from pydantic import AfterValidator, Field

# A database id: bounded, so an absurd number is a 422, not an overflow deep in the database.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("give a local time without an offset (it is taken in the partnership's zone)")
    return value


# A wall-clock time in the partnership's zone: an offset (10:00:00+00:00) is refused with a 422.
LocalTime = Annotated[time, AfterValidator(_local)]
