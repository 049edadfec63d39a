"""Operator networks and discovery: site_markup, site_identifiers, site_links,
discovery_candidates and the site_networks view.

Self-contained (imports nothing from the package): the view's SQL is frozen here as it was
written for this revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Sites sharing a conclusive identifier are one network (connected components, by a recursive
# walk over the pairs of sites sharing one). An identifier on more than half of all crawled
# sites (site_markup), and on at least 5, is a platform's (a widget, a hosting company's tag)
# and links nothing. A site's copies and syndicator flag are site_report's.
SITE_NETWORKS = """
CREATE VIEW site_networks AS
WITH RECURSIVE crawled AS (
    SELECT count(*) AS n FROM site_markup
), linking AS (
    SELECT kind, value
    FROM site_identifiers
    WHERE tier = 'conclusive'
    GROUP BY kind, value
    HAVING count(DISTINCT site_id) >= 2
       AND NOT (count(DISTINCT site_id) >= 5
                AND count(DISTINCT site_id) > 0.5 * (SELECT n FROM crawled))
), member AS (
    SELECT DISTINCT i.site_id, i.kind, i.value
    FROM site_identifiers i
    JOIN linking l ON l.kind = i.kind AND l.value = i.value
), edge AS (
    SELECT DISTINCT a.site_id AS a, b.site_id AS b
    FROM member a
    JOIN member b ON a.kind = b.kind AND a.value = b.value
), reach(site_id, other) AS (
    SELECT a, b FROM edge
    UNION
    SELECT r.site_id, e.b FROM reach r JOIN edge e ON e.a = r.other
), network AS (
    SELECT site_id, min(other) AS network_id FROM reach GROUP BY site_id
), shared AS (
    SELECT site_id, {identifiers} AS identifiers FROM member GROUP BY site_id
)
SELECT n.network_id,
       s.name AS site,
       s.role,
       sh.identifiers AS identifiers_shared,
       sr.syndicator,
       coalesce(sr.copies, 0) AS copies
FROM network n
JOIN sites s ON s.id = n.site_id
JOIN shared sh ON sh.site_id = n.site_id
LEFT JOIN site_report sr ON sr.site = s.name
"""

_DISTINCT_LIST = {
    "postgresql": "string_agg(DISTINCT {col}, ',' ORDER BY {col})",
    "sqlite": "group_concat(DISTINCT {col})",
}


def site_networks_sql(dialect: str) -> str:
    agg = _DISTINCT_LIST.get(dialect, _DISTINCT_LIST["postgresql"])
    return SITE_NETWORKS.format(identifiers=agg.format(col="kind || ':' || value"))


def _seen_columns() -> list[sa.Column]:
    return [
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "site_markup",
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), primary_key=True),
        *_seen_columns(),
    )
    op.create_table(
        "site_identifiers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(200), nullable=False, index=True),
        sa.Column("tier", sa.String(16), nullable=False),
        *_seen_columns(),
        sa.UniqueConstraint("site_id", "kind", "value", name="uq_site_identifiers"),
    )
    op.create_table(
        "site_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False, index=True),
        sa.Column("host", sa.String(255), nullable=False, index=True),
        sa.Column("placement", sa.String(16), nullable=False),
        sa.Column("example_url", sa.Text, nullable=False),
        *_seen_columns(),
        sa.UniqueConstraint("site_id", "host", "placement", name="uq_site_links"),
    )
    op.create_table(
        "discovery_candidates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("host", sa.String(255), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("pages_probed", sa.Integer, nullable=False),
        sa.Column("copies", sa.Integer, nullable=False),
        sa.Column("original_sites", sa.JSON, nullable=False),
        sa.Column("probe_note", sa.Text),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.execute(site_networks_sql(op.get_bind().dialect.name))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS site_networks")
    for table in ("discovery_candidates", "site_links", "site_identifiers", "site_markup"):
        op.drop_table(table)
