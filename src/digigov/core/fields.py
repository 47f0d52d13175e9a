"""Input types shared by the API schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Text without NUL characters, which PostgreSQL cannot store (Django's form
# fields refuse them the same way; the API's schemas use this).
SafeText = Annotated[str, Field(pattern=r"^[^\x00]*$")]
