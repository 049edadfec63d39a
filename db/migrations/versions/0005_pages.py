"""pages: non-article URLs remembered between crawls (and robots.txt answers), so a second
crawl of an unchanged site fetches its start pages and little else.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("body", sa.Text),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pages")
