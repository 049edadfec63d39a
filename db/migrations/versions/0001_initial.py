"""Initial schema: sites, articles, fingerprints, matches, crawl_runs and the two views.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from db import views

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("base_url", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("published", sa.DateTime),
        sa.Column("lang", sa.String(16)),
        sa.Column("lang_confidence", sa.Float),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("links", sa.JSON, nullable=False),
        sa.Column("attribution_url", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("fetched_at", sa.DateTime),
        sa.Column("warc_file", sa.Text),
        sa.Column("warc_offset", sa.Integer),
        sa.Column("payload_sha256", sa.String(64)),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("matched_version", sa.Integer, index=True),
    )
    op.create_table(
        "fingerprints",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary),
    )
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("copy_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False, index=True),
        sa.Column(
            "original_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False, index=True
        ),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False, server_default="original"),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("attributed", sa.Boolean, nullable=False),
        sa.Column("detected_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("copy_id", "original_id", name="uq_matches_pair"),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), index=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pages_fetched", sa.Integer, nullable=False),
        sa.Column("articles_new", sa.Integer, nullable=False),
        sa.Column("articles_changed", sa.Integer, nullable=False),
        sa.Column("articles_unchanged", sa.Integer, nullable=False),
        sa.Column("articles_skipped", sa.Integer, nullable=False),
        sa.Column("articles_gone", sa.Integer, nullable=False),
        sa.Column("non_articles", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("delivered", sa.Boolean, nullable=False),
        sa.UniqueConstraint("kind", "subject", name="uq_alerts_kind_subject"),
    )
    for statement in views.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in views.drop_statements():
        op.execute(statement)
    for table in ("alerts", "crawl_runs", "matches", "fingerprints", "articles", "sites"):
        op.drop_table(table)
