"""The CLI as users and scripts call it: the installed `syndetect` command."""

import json
import subprocess
from pathlib import Path

import pytest
from conftest import syndetect


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return syndetect(*args, cwd=cwd)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "missing.toml"], "missing.toml: config file not found"),
        (["--db", "nonsense", "report"], "not a valid SQLAlchemy URL"),
        (["--db", "sqlite:////no/dir/x.db", "match"], "does not exist"),
        (["ingest", "missing.jsonl", "--site", "a", "--role", "source"], "missing.jsonl"),
        (["--db", "sqlite://", "report"], "in-memory database would keep nothing"),
        (["--db", "syndetect.db", "report"], "for a SQLite file write sqlite:///syndetect.db"),
    ],
)
@pytest.mark.slow
def test_user_mistakes_exit_non_zero_with_one_line(tmp_path, args, needle):
    result = run(*args, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ingest_match_report_export_roundtrip(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    src = tmp_path / "src.jsonl"
    src.write_text(
        json.dumps({"url": "https://planet.example/a", "title": "A", "text": "Hello world. " * 40})
        + "\n",
        encoding="utf-8",
    )
    assert (
        run("--db", db, "ingest", str(src), "--site", "planet", "--role", "source").returncode == 0
    )
    assert run("--db", db, "--quiet", "match").returncode == 0
    report = run("--db", db, "report", "--format", "json")
    rows = json.loads(report.stdout)
    assert rows[0]["site"] == "planet" and rows[0]["syndicator"] is False
    assert set(rows[0]) >= {
        "site",
        "role",
        "articles",
        "copies",
        "copy_share",
        "original_sites",
        "syndicator",
    }
    exported = run("export", "articles", "--format", "csv", "--db", db)
    assert exported.stdout.splitlines()[0].startswith("id,url,site,role,lang")
    assert "https://planet.example/a" in exported.stdout


@pytest.mark.slow
def test_match_reads_its_switches_from_the_config(tmp_path):
    fixtures = Path(__file__).parent / "fixtures" / "dedup"

    def site_file(site: str, names: list[str]) -> str:
        path = tmp_path / f"{site}.jsonl"
        rows = [
            {
                "url": f"https://{site}.example/{name}",
                "text": (fixtures / f"{name}.txt").read_text("utf-8"),
                "lang": name[-2:],
            }
            for name in names
        ]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return str(path)

    planet = site_file("planet", ["ferry_en", "audit_en", "garden_en", "bread_en"])
    farm = site_file("farm", ["ferry_de", "audit_ru", "garden_fr"])
    config = tmp_path / "sites.toml"
    config.write_text(
        "[match]\nthrough_sites = false\n[[site]]\nname='planet'\nrole='source'\n"
        "start_urls=['https://planet.example/']\n"
    )
    found = {}
    for label, extra in (("off", ["--config", str(config)]), ("on", [])):
        db = f"sqlite:///{tmp_path / f'{label}.db'}"
        run("--db", db, "ingest", planet, "--site", "planet", "--role", "source")
        run("--db", db, "ingest", farm, "--site", "farm", "--role", "suspect")
        assert run("--db", db, "--quiet", "match", *extra).returncode == 0
        exported = run("--db", db, "export", "matches", "--format", "jsonl").stdout
        found[label] = len(exported.splitlines())
    assert found == {"off": 2, "on": 3}


@pytest.mark.slow
def test_read_commands_on_a_missing_database_create_nothing(tmp_path):
    for args in (["report"], ["export", "matches"], ["evidence", "1"], ["browse"]):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "no database at" in lines[0], (args, lines)
    result = run("--db", f"sqlite:///{tmp_path / 't.db'}", "run", "nope.toml", cwd=tmp_path)
    assert result.returncode == 2 and "nope.toml: config file not found" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_empty_csv_export_still_has_its_header(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    src = tmp_path / "src.jsonl"
    src.write_text(json.dumps({"url": "https://p.example/a", "text": "Hello. " * 30}) + "\n")
    assert run("--db", db, "ingest", str(src), "--site", "p", "--role", "source").returncode == 0
    exported = run("--db", db, "export", "matches", "--format", "csv")
    assert exported.returncode == 0
    assert exported.stdout == (
        "id,copy_url,original_url,copy_site,original_site,copy_lang,original_lang,kind,score,"
        "attributed,copy_title,original_title,copy_published,original_published,detected_at\n"
    )


@pytest.mark.slow
def test_bare_command_lists_commands_and_version_and_descriptions():
    bare = run()
    assert bare.returncode == 2 and "ingest" in bare.stderr and "schedule" in bare.stderr
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("syndetect ")
    described = run("report", "--help")
    assert "per-site verdicts" in described.stdout
