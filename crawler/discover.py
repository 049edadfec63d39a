"""`syndetect discover`: propose the farms (and sources) nobody listed, probe them, add them.

Leads come from what crawls stored: off-site hosts that syndicators link from their article
bodies and templates (farms of one network cross-link), and hosts that syndicators name as
their articles' source (an original nobody monitors). A host linked from a large share of all
crawled sites is a platform's (social networks, CDNs, widgets) and leads nowhere. A probe
crawls the best candidates and matches their pages; copies found, and an operator identifier
shared with a known network, rank a candidate first.

Candidates live in discovery_candidates; `--add` turns them into suspect sites that later
`run`s and `crawl`s read from the database beside the user's TOML (which is never rewritten).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from crawler import config as config_module
from crawler.config import Config, DiscoverConfig, SiteConfig
from crawler.errors import UserError
from crawler.output import write_json, write_table
from crawler.urls import netloc, same_site_netloc
from db.discovery import (
    LinkRow,
    candidates,
    crawled_sites,
    link_rows,
    probe_findings,
    save_candidate,
    site_urls,
)
from db.lock import exclusive
from db.models import DiscoveryCandidate
from db.session import connect, resolve_url, session_factory
from db.store import upsert_site

# Probed pages are stored under a site of this role until `--add` makes it a suspect.
CANDIDATE_ROLE = "candidate"
TABLE_COLUMNS = ("host", "status", "score", "copies", "pages_probed", "original_sites", "reasons")


@dataclass(frozen=True)
class Ranking:
    """Points per piece of evidence. A copy found by a probe outweighs any link: links say
    where to look, copies say what a site does."""

    body_link: float = 3.0  # per syndicator linking the host from an article's body
    template_link: float = 1.0  # per syndicator linking it from menus, footers, blogrolls
    attribution: float = 2.0  # per syndicator naming it as an article's source
    copy: float = 10.0  # per copy found on the candidate's probed pages
    network: float = 5.0  # its markup carries an identifier of a known network


@dataclass
class Lead:
    """The evidence pointing at one unlisted host."""

    host: str
    url: str
    body: set[str] = field(default_factory=set)
    template: set[str] = field(default_factory=set)
    attributions: Counter[str] = field(default_factory=Counter)
    linked_by: set[str] = field(default_factory=set)  # every site linking it, any role


def gather_leads(rows: list[LinkRow], known: set[str]) -> dict[str, Lead]:
    """Per unlisted host, the sites pointing at it and how."""
    leads: dict[str, Lead] = {}
    for row in rows:
        host = row.host or netloc(row.url)
        if not host or same_site_netloc(host, known):
            continue
        parts = urlsplit(row.url)
        lead = leads.setdefault(host, Lead(host, f"{parts.scheme}://{host}/"))
        lead.linked_by.add(row.site)
        if not row.syndicator:
            continue
        if row.placement == "attribution":
            lead.attributions[row.site] += 1
        elif row.placement == "body":
            lead.body.add(row.site)
        else:
            lead.template.add(row.site)
    return leads


def platform_wide(lead: Lead, crawled: int, params: DiscoverConfig) -> bool:
    sites = len(lead.linked_by)
    return sites >= params.platform_min_sites and sites > params.platform_share * crawled


def _names(sites: set[str] | Counter[str]) -> str:
    return ", ".join(sorted(sites))


def lead_reasons(lead: Lead, ranking: Ranking = Ranking()) -> tuple[float, list[str]]:
    """The score and the reasons, in words, of what links point at the host."""
    reasons, score = [], 0.0
    if lead.body:
        score += ranking.body_link * len(lead.body)
        reasons.append(
            f"linked from article bodies of {len(lead.body)} syndicator(s): {_names(lead.body)}"
        )
    if lead.template:
        score += ranking.template_link * len(lead.template)
        reasons.append(
            f"linked from the template of {len(lead.template)} syndicator(s): "
            f"{_names(lead.template)}"
        )
    if lead.attributions:
        score += ranking.attribution * len(lead.attributions)
        articles = sum(lead.attributions.values())
        reasons.append(
            f"named as the source of {articles} article(s) by "
            f"{_names(lead.attributions)} (an original nobody monitors?)"
        )
    return score, reasons


def probe_reasons(found: dict[str, Any], ranking: Ranking = Ranking()) -> tuple[float, list[str]]:
    """The score and reasons from a probed candidate's stored pages."""
    reasons, score = [], 0.0
    if found["copies"]:
        score += ranking.copy * found["copies"]
        reasons.append(
            f"probe: {found['copies']} copied article(s) of {', '.join(found['original_sites'])}"
        )
    if found["network"] is not None:
        score += ranking.network
        ids = ", ".join(found["network_identifiers"])
        reasons.append(
            f"shares {ids} with network {found['network']}: {', '.join(found['network_sites'])}"
        )
    return score, reasons


def known_hosts(config: Config, stored: dict[str, str | None], roles: dict[str, str]) -> set[str]:
    """The hosts of every listed site (config and database); probed candidates excepted."""
    hosts = {h for site in config.sites for h in site.netlocs}
    for name, base in stored.items():
        if base and roles.get(name) != CANDIDATE_ROLE:
            hosts.add(netloc(base))
    return hosts


def refresh(
    session: Session, config: Config, ranking: Ranking = Ranking()
) -> list[DiscoveryCandidate]:
    """Re-derive every candidate's reasons and score from what is stored now."""
    roles = dict(session.execute(text("SELECT name, role FROM sites")).tuples().all())
    known = known_hosts(config, site_urls(session), roles)
    crawled = crawled_sites(session)
    leads = {
        host: lead
        for host, lead in gather_leads(link_rows(session), known).items()
        if (lead.body or lead.template or lead.attributions)
        and not platform_wide(lead, crawled, config.discover)
    }
    stored = candidates(session)
    for host, lead in leads.items():
        if host not in stored:
            stored[host] = save_candidate(session, host, lead.url)
    for host, candidate in stored.items():
        score, reasons = lead_reasons(leads[host], ranking) if host in leads else (0.0, [])
        if roles.get(host) in (CANDIDATE_ROLE, "suspect") and candidate.status != "proposed":
            found = probe_findings(session, host)
            candidate.copies = found["copies"]
            candidate.original_sites = found["original_sites"]
            extra, more = probe_reasons(found, ranking)
            score, reasons = score + extra, reasons + more
        if candidate.probe_note:
            reasons.append(f"probe: {candidate.probe_note}")
        candidate.score = score
        candidate.reasons = reasons or list(candidate.reasons)
    session.flush()
    return sorted(stored.values(), key=_rank)


def _rank(candidate: DiscoveryCandidate) -> tuple:
    return (candidate.status == "ignored", -candidate.copies, -candidate.score, candidate.host)


def as_row(candidate: DiscoveryCandidate) -> dict[str, Any]:
    return {
        "host": candidate.host,
        "reasons": list(candidate.reasons),
        "status": candidate.status,
        "pages_probed": candidate.pages_probed,
        "copies": candidate.copies,
        "original_sites": list(candidate.original_sites),
        "score": round(candidate.score, 2),
        "url": candidate.url,
    }


def set_status(session: Session, names: list[str], status: str) -> list[DiscoveryCandidate]:
    """Mark candidates added (a suspect site later runs crawl) or ignored; unknown names fail
    before anything changes."""
    stored = candidates(session)
    missing = [n for n in names if n not in stored]
    if missing:
        raise UserError(f"no discovery candidate {missing[0]!r} (see: syndetect discover CONFIG)")
    changed = []
    for name in names:
        candidate = stored[name]
        candidate.status = status
        if status == "added":
            upsert_site(session, candidate.host, "suspect", base_url=candidate.url)
        changed.append(candidate)
    return changed


def with_added_sites(config: Config, engine: Engine) -> Config:
    """`config` with the candidates `discover --add` made suspect sites (kept in the database,
    never written into the user's TOML); a name or host the config lists already wins."""
    with session_factory(engine)() as session:
        added = session.scalars(
            select(DiscoveryCandidate).where(DiscoveryCandidate.status == "added")
        ).all()
    listed = {h for site in config.sites for h in site.netlocs}
    names = {site.name for site in config.sites}
    extra = tuple(
        SiteConfig(name=c.host, role="suspect", start_urls=(c.url,))
        for c in added
        if c.host not in names and not same_site_netloc(c.host, listed)
    )
    return dataclasses.replace(config, sites=config.sites + extra) if extra else config


def probe(
    engine: Engine,
    config: Config,
    args: argparse.Namespace,
    match: Callable[[Engine, argparse.Namespace], None],
) -> None:
    """Crawl the best candidates' pages, match them, record what each probe did."""
    from crawler.crawl import crawl
    from crawler.probe import probe_config, stop_notes

    with session_factory(engine)() as session:
        ranked = [c for c in refresh(session, config) if c.status in ("proposed", "probed")]
        targets = [(c.host, c.url) for c in ranked[: config.discover.max_candidates]]
        session.commit()
    if not targets:
        return
    if not args.quiet:
        print(
            f"discover: probing {len(targets)} candidate(s), up to {args.probe} pages each",
            file=sys.stderr,
        )
    with exclusive(engine, "discover"):
        result = crawl(
            probe_config(config, targets, args.probe, config.discover),
            resolve_url(args.db),
            quiet=args.quiet,
        )
        match(engine, args)
    notes = stop_notes(result.stats, result.not_seen, [h for h, _ in targets])
    with session_factory(engine)() as session:
        stored = candidates(session)
        pages = dict(session.execute(_PAGES_READ).tuples().all())
        for host, _ in targets:
            candidate = stored[host]
            candidate.status = "probed"
            candidate.pages_probed = pages.get(host, 0)
            candidate.probe_note = notes.get(host)
        session.commit()


_PAGES_READ = text("SELECT s.name, m.pages FROM site_markup m JOIN sites s ON s.id = m.site_id")


def command(args: argparse.Namespace, match: Callable[[Engine, argparse.Namespace], None]) -> int:
    """The body of `syndetect discover`."""
    config = config_module.load(args.config)
    engine = connect(args.db)
    if args.add or args.ignore:
        with session_factory(engine)() as session:
            added = set_status(session, args.add or [], "added")
            ignored = set_status(session, args.ignore or [], "ignored")
            session.commit()
        if not args.quiet:
            if added:
                print(
                    f"discover: added {len(added)} suspect site(s); `syndetect run "
                    f"{args.config}` crawls them (kept in the database, not in your TOML)",
                    file=sys.stderr,
                )
            if ignored:
                print(f"discover: ignoring {len(ignored)} candidate(s)", file=sys.stderr)
        return 0
    if args.probe:
        probe(engine, config, args, match)
    with session_factory(engine)() as session:
        rows = [as_row(c) for c in refresh(session, config)]
        session.commit()
    if args.format == "json":
        write_json(rows, sys.stdout)
        return 0
    if not rows:
        print(
            "No candidates: no syndicator links or attributes an unlisted host "
            "(sites crawled before identifiers were recorded have no links stored)."
        )
        return 0
    table = [{**r, "reasons": "; ".join(r["reasons"])} for r in rows]
    write_table(table, TABLE_COLUMNS, sys.stdout)
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """The `discover` subcommand's arguments."""
    parser = commands.add_parser(
        "discover", parents=[common], help="propose unlisted farms and sources, probe, add them"
    )
    parser.add_argument("config", help="sites file (TOML); its [discover] table sets the limits")
    parser.add_argument(
        "--probe",
        type=_positive,
        metavar="N",
        help="crawl up to N pages of each candidate and match them",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--add",
        nargs="+",
        metavar="HOST",
        help="make these candidates suspect sites that later runs crawl",
    )
    parser.add_argument("--ignore", nargs="+", metavar="HOST", help="stop proposing these")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number
