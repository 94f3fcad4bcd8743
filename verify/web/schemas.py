"""The API's request and response bodies. The responses are the service's own dataclasses
(their docstrings describe the fields), so the document cannot drift from what is sent."""

from typing import Any

from apiflask.fields import UploadFile
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from verify.committees import CommitteeList
from verify.legacy import PAPER_NOTE, LegacyView
from verify.registered import CertificateView
from verify.report import VerificationReport
from verify.shares import ShareView
from verify.transparency import HolderView

_DOCUMENTED = ConfigDict(use_attribute_docstrings=True)


class Certificate(RootModel[CertificateView]):
    """What the public may see of a registered certificate: its status first, the holder masked."""

    model_config = _DOCUMENTED


class Holder(RootModel[HolderView]):
    """What a holder's secret opens: their certificates and who verified them, coarsely."""

    model_config = _DOCUMENTED


class Share(RootModel[ShareView]):
    """What a holder's share link opens: the certificate as its scan page shows it, and the
    holder's annotation."""

    model_config = _DOCUMENTED


class Committees(RootModel[CommitteeList]):
    """The review committees the registry holds: each one's mandates and seal certificates."""

    model_config = _DOCUMENTED


class Report(RootModel[VerificationReport]):
    """The verification report of an uploaded PDF: the file's verdict and the registry's status."""

    model_config = _DOCUMENTED


def _one_or_both(schema: dict[str, Any]) -> None:
    """The document says what the validators require: at least one field, neither null."""
    schema["anyOf"] = [{"required": ["name"]}, {"required": ["id_number"]}]
    for field in schema["properties"].values():
        field.pop("default", None)


class MatchRequest(BaseModel):
    """What the employer knows of the holder: the full name, the full ID number, or both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_or_both)

    # Absent, not null: SkipJsonSchema keeps None out of the document, _given keeps it out of requests.
    name: str | SkipJsonSchema[None] = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The holder's full name; compared after NFKC normalisation, whitespace removed.",
    )
    id_number: str | SkipJsonSchema[None] = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="The holder's full ID number; spaces, hyphens, brackets and the case of X do not matter.",
    )

    @field_validator("name", "id_number", mode="before")
    @classmethod
    def _given(cls, value: object) -> object:
        if value is None:
            raise ValueError("leave the field out instead of sending null")
        return value

    @model_validator(mode="after")
    def _something(self) -> "MatchRequest":
        if self.name is None and self.id_number is None:
            raise ValueError("give the name, the ID number, or both")
        return self


class MatchResult(BaseModel):
    """The answer of a match check: yes or no, never the stored value."""

    match: bool = Field(description="True only when every value given belongs to the holder.")


class LegacyMatch(BaseModel):
    """The answer for a title awarded on paper: yes with the title as registered (holder masked),
    or no, the same for an unknown number as for a wrong name or ID number."""

    model_config = _DOCUMENTED

    match: bool = Field(
        description="True only when the number is registered and every value given belongs to its holder."
    )
    title: LegacyView | None = Field(default=None, description="The title as registered; only with a match.")
    note: str = Field(
        default=PAPER_NOTE, description="Registered from paper records; no electronic document exists."
    )


class Upload(BaseModel):
    """A PDF to verify, as a multipart form."""

    file: UploadFile = Field(description="The PDF file.")
