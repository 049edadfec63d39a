"""SQL views `copies` and `site_report`: the schema users query directly (sqlite3, Datasette).

Kept as SQL, not ORM, because they are a documented interface; the only dialect difference is
how a distinct list of names is aggregated.

This is the views' current definition, as db/models.py is the tables'. Migrations carry their
own frozen copy of the SQL: changing a view here takes a new migration that replaces it
(tests/test_migrations.py checks that a database upgraded step by step equals one built from
these definitions).
"""

from __future__ import annotations

VIEW_NAMES = ("copies", "site_report", "site_networks")

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

# A site is a syndicator when at least two of its articles are copies of other sites' articles:
# one match can be a coincidence or a legitimate licence, a pattern is a practice. A site with
# no successful crawl and no article was not seen: its verdict is NULL, not "no".
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

# Sites sharing a conclusive identifier are one network (connected components over the pairs
# of sites sharing one); an identifier on more than half of the crawled sites, and on at least
# 5, is a platform's and links nothing.
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
    # SQLite's group_concat(DISTINCT x) takes no separator or order; the default ',' is ours too.
    "sqlite": "group_concat(DISTINCT {col})",
}


def create_statements(dialect: str) -> list[str]:
    """The CREATE VIEW statements for a SQLAlchemy dialect name."""
    agg = _DISTINCT_LIST.get(dialect, _DISTINCT_LIST["postgresql"])
    site_report = SITE_REPORT.format(
        langs=agg.format(col="lang"), origins=agg.format(col="os.name")
    )
    site_networks = SITE_NETWORKS.format(identifiers=agg.format(col="kind || ':' || value"))
    return [COPIES, site_report, site_networks]


def drop_statements() -> list[str]:
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES)]
