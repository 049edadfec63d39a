"""crawl_runs.reason, each site's last crawl outcome in site_report, no same-site copies.

A crawl run now ends `finished`, `partial` (budget, time or errors cut it short), `failed`
(nothing fetched) or `interrupted`, with a one-line `reason`. site_report gains `crawl_status`
(`never` for a site never crawled), `crawl_reason` and `last_success`, and its `syndicator` is
NULL for a site with no successful crawl and no article: absent data is not a verdict.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen view SQL (see 0001): this revision's views, and the ones they replace. A pair within
# one site (left by an article moved between sites) is never a copy: matching refuses such
# pairs, and the views leave out any stored before.
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
WHERE m.relation = 'original' AND c.site_id <> o.site_id
"""

PREVIOUS_COPIES = """
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
    WHERE m.relation = 'original' AND c.site_id <> o.site_id
    GROUP BY c.site_id
), last_run AS (
    SELECT site_id, max(id) AS id FROM crawl_runs GROUP BY site_id
), success AS (
    SELECT site_id, max(finished_at) AS at
    FROM crawl_runs WHERE status IN ('finished', 'partial') GROUP BY site_id
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
       CASE WHEN success.at IS NULL AND coalesce(art.n, 0) = 0 THEN NULL
            WHEN coalesce(cp.n, 0) >= 2 THEN 1 ELSE 0 END AS syndicator,
       coalesce(r.status, 'never') AS crawl_status,
       r.reason AS crawl_reason,
       success.at AS last_success
FROM sites s
LEFT JOIN art ON art.site_id = s.id
LEFT JOIN cp ON cp.site_id = s.id
LEFT JOIN last_run ON last_run.site_id = s.id
LEFT JOIN crawl_runs r ON r.id = last_run.id
LEFT JOIN success ON success.site_id = s.id
"""

PREVIOUS_SITE_REPORT = """
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


def _site_report(sql: str) -> str:
    agg = _DISTINCT_LIST.get(op.get_bind().dialect.name, _DISTINCT_LIST["postgresql"])
    return sql.format(langs=agg.format(col="lang"), origins=agg.format(col="os.name"))


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("reason", sa.Text))
    op.execute("DROP VIEW IF EXISTS site_report")
    op.execute("DROP VIEW IF EXISTS copies")
    op.execute(COPIES)
    op.execute(_site_report(SITE_REPORT))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS site_report")
    op.execute("DROP VIEW IF EXISTS copies")
    op.execute(PREVIOUS_COPIES)
    op.execute(_site_report(PREVIOUS_SITE_REPORT))
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("reason")
