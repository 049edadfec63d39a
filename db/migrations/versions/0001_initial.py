"""Initial schema: sites, articles, fingerprints, matches, crawl_runs and the two views.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The views as they were at this revision, frozen here (Alembic's "replaceable objects"
# recipe): a later change to a view is a new migration, never an edit of db/views.py that
# would reach new databases only.
COPIES = """
CREATE VIEW copies AS
SELECT m.id AS match_id,
       m.kind,
       m.score,
       m.attributed,
       m.detected_at,
       c.url AS copy_url,
       cs.name AS copy_site,
       c.lang AS copy_lang,
       c.title AS copy_title,
       c.published AS copy_published,
       o.url AS original_url,
       os.name AS original_site,
       o.lang AS original_lang,
       o.title AS original_title,
       o.published AS original_published
FROM matches m
JOIN articles c ON c.id = m.copy_id
JOIN sites cs ON cs.id = c.site_id
JOIN articles o ON o.id = m.original_id
JOIN sites os ON os.id = o.site_id
WHERE m.relation = 'original'
"""

SITE_REPORT = """
CREATE VIEW site_report AS
WITH art AS (
    SELECT site_id, count(*) AS n, {langs} AS languages
    FROM articles GROUP BY site_id
), cp AS (
    SELECT c.site_id,
           count(DISTINCT m.copy_id) AS n,
           {origins} AS original_sites,
           min(m.detected_at) AS first_detection,
           max(m.detected_at) AS last_detection
    FROM matches m
    JOIN articles c ON c.id = m.copy_id
    JOIN articles o ON o.id = m.original_id
    JOIN sites os ON os.id = o.site_id
    WHERE m.relation = 'original'
    GROUP BY c.site_id
)
SELECT s.name AS site,
       s.role,
       coalesce(art.n, 0) AS articles,
       coalesce(cp.n, 0) AS copies,
       CASE WHEN coalesce(art.n, 0) = 0 THEN 0.0 ELSE 1.0 * coalesce(cp.n, 0) / art.n END
           AS copy_share,
       coalesce(cp.original_sites, '') AS original_sites,
       coalesce(art.languages, '') AS languages,
       cp.first_detection,
       cp.last_detection,
       CASE WHEN coalesce(cp.n, 0) >= 2 THEN 1 ELSE 0 END AS syndicator
FROM sites s
LEFT JOIN art ON art.site_id = s.id
LEFT JOIN cp ON cp.site_id = s.id
"""

_DISTINCT_LIST = {
    "postgresql": "string_agg(DISTINCT {col}, ',' ORDER BY {col})",
    "sqlite": "group_concat(DISTINCT {col})",
}


def _view_statements(dialect: str) -> list[str]:
    agg = _DISTINCT_LIST.get(dialect, _DISTINCT_LIST["postgresql"])
    site_report = SITE_REPORT.format(
        langs=agg.format(col="lang"), origins=agg.format(col="os.name")
    )
    return [COPIES, site_report]


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
    for statement in _view_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS site_report")
    op.execute("DROP VIEW IF EXISTS copies")
    for table in ("alerts", "crawl_runs", "matches", "fingerprints", "articles", "sites"):
        op.drop_table(table)
