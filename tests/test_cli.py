"""The CLI as users and scripts call it: the installed `syndetect` command."""

import json
import subprocess
import sys

import pytest

SYNDETECT = [sys.executable, "-m", "crawler.cli"]


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*SYNDETECT, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "missing.toml"], "missing.toml: config file not found"),
        (["--db", "nonsense", "report"], "not a valid SQLAlchemy URL"),
        (["--db", "sqlite:////no/dir/x.db", "match"], "does not exist"),
        (["ingest", "missing.jsonl", "--site", "a", "--role", "source"], "missing.jsonl"),
    ],
)
def test_user_mistakes_exit_non_zero_with_one_line(tmp_path, args, needle):
    result = run(*args, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr


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
