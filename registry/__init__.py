"""The ledger of what was issued: SQLAlchemy 2 models, repository, Alembic migrations.

Imports nothing else of ours.
"""
