"""Rewrites docgen/schema/review-session.schema.json from the models."""

from docgen.schema import SCHEMA_PATH, schema_text

SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
print(f"wrote {SCHEMA_PATH}")
