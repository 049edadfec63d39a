import json

from sqlalchemy import select

from crawler.ingest import ingest
from db.models import Article, Site
from db.session import connect, session_factory

GOOD = {
    "url": "https://planet.example/2026/03/harbour?utm_source=x",
    "title": "Harbour works begin",
    "text": "Work on the northern quay of Port Alvern began on Monday, the authority said.",
    "lang": "en",
    "published": "2026-03-02T08:15:00+01:00",
}


def test_bad_lines_are_reported_with_numbers_and_good_ones_kept(tmp_path, sqlite_url):
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "url": "ftp://x.example/"}),
        "",
        json.dumps({**GOOD, "url": "https://planet.example/b", "text": ""}),
        json.dumps({**GOOD, "url": "https://planet.example/c", "published": "yesterday"}),
        json.dumps([1, 2]),
        json.dumps(
            {k: v for k, v in GOOD.items() if k != "lang"} | {"url": "https://planet.example/d"}
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine = connect(sqlite_url)
    result = ingest(engine, path, "planet", "source")
    assert result.outcomes == {"new": 2}
    assert [b.split(": ", 1)[0] for b in result.bad_lines] == [
        f"{path}:{n}" for n in (2, 3, 5, 6, 7)
    ]
    assert "key 'published'" in result.bad_lines[3]
    with session_factory(engine)() as session:
        site = session.scalar(select(Site))
        assert (site.name, site.role) == ("planet", "source")
        first = session.scalar(select(Article).where(Article.url.like("%harbour%")))
        assert first.url == "https://planet.example/2026/03/harbour"
        assert first.published.isoformat() == "2026-03-02T07:15:00"
        detected = session.scalar(select(Article).where(Article.url.like("%/d")))
        assert detected.lang == "en" and detected.lang_confidence is not None
    # Ingesting again stores nothing twice.
    again = ingest(engine, path, "planet", "source")
    assert again.outcomes == {"unchanged": 2}
