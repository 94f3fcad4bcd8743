"""The published JSON Schema of a review session, generated from docgen.models.

`python tools/make_schema.py` rewrites review-session.schema.json; a test fails when it is stale.
"""

import json
from pathlib import Path
from typing import Any

from docgen.models import ReviewSession

SCHEMA_PATH = Path(__file__).resolve().parent / "review-session.schema.json"


def session_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a review-session file."""
    schema = ReviewSession.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:titlecert:review-session:1",
        **schema,
        "title": "titlecert review session",
    }


def schema_text() -> str:
    return json.dumps(session_schema(), ensure_ascii=False, indent=2) + "\n"
