"""`syndetect networks`: sites grouped by the operator identifiers they share, with the
evidence (db/networks.py reads them from the site_networks view)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from sqlalchemy import text

from crawler.output import write_csv, write_json
from db.networks import networks
from db.session import connect, session_factory


def command(args: argparse.Namespace) -> int:
    """The body of `syndetect networks`."""
    engine = connect(args.db)
    with session_factory(engine)() as session:
        groups = networks(session)
        recorded = session.execute(_RECORDED).scalar_one()
    if args.format == "json":
        write_json(groups, sys.stdout)
    elif args.format == "csv":
        write_csv(csv_rows(groups), sys.stdout)
    else:
        write_networks(groups, recorded, sys.stdout)
    return 0


def csv_rows(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per network and identifier linking it."""
    return [
        {
            "network": group["network"],
            "sites": group["sites"],
            "kind": ident["kind"],
            "value": ident["value"],
            "identifier_sites": ident["sites"],
        }
        for group in groups
        for ident in group["identifiers"]
    ]


def write_networks(groups: list[dict[str, Any]], recorded: int, out: TextIO) -> None:
    """Each network, the conclusive identifiers that make it, and the weaker shared ones."""
    if not groups:
        why = (
            "no two crawled sites share an operator identifier"
            if recorded
            else "no identifiers recorded yet (crawl the sites with this version first)"
        )
        out.write(f"No networks: {why}.\n")
        return
    for group in groups:
        syndicators = ", ".join(group["syndicators"]) or "none"
        out.write(
            f"Network {group['network']}: {len(group['sites'])} sites: "
            f"{', '.join(group['sites'])}\n  syndicators: {syndicators}; "
            f"{group['copies']} copies\n  linked by (conclusive):\n"
        )
        for ident in group["identifiers"]:
            out.write(f"    {ident['kind']} {ident['value']}: {', '.join(ident['sites'])}\n")
        if group["supporting"]:
            out.write("  also shared (supporting only, links nothing alone):\n")
            for ident in group["supporting"]:
                out.write(
                    f"    {ident['tier']} {ident['kind']} {ident['value']}: "
                    f"{', '.join(ident['sites'])}\n"
                )
        out.write("\n")


_RECORDED = text("SELECT count(*) FROM site_markup")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "networks", parents=[common], help="sites grouped by shared operator identifiers"
    )
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
