"""Types shared by the API's parameters."""

from typing import Annotated

from pydantic import Field

# A database id: bounded, so an absurd number is a 422, not an overflow deep in the database.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
