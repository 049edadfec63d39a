"""fingerprints.signatures: the three MinHash signatures apart from the serialized fingerprint.

Loading the candidate index at the start of `match` then reads 1.5 KB per article straight into
numpy instead of parsing every whole fingerprint. NULL for rows written before this revision
(and for articles too short to fingerprint); those are read from `data` instead.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fingerprints", sa.Column("signatures", sa.LargeBinary))


def downgrade() -> None:
    with op.batch_alter_table("fingerprints") as batch:
        batch.drop_column("signatures")
