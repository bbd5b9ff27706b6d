"""``python -m gaweb_client``: the client from a shell (the token in GAWEB_TOKEN, the server in GAWEB_URL).

python -m gaweb_client submit examples/synthetic.json --wait
python -m gaweb_client state 7
python -m gaweb_client download 7 best.json [PATH]
python -m gaweb_client cancel 7
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import DOWNLOADS, ENDED, Client, GawebError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gaweb_client", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("GAWEB_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("GAWEB_TOKEN"), help="default: $GAWEB_TOKEN")
    commands = parser.add_subparsers(dest="command", required=True)
    submit = commands.add_parser("submit", help="start a search from a spec file")
    submit.add_argument("spec")
    submit.add_argument("--wait", action="store_true", help="follow it to the end, with a progress bar")
    commands.add_parser("list", help="the searches")
    for name in ("state", "wait", "cancel", "finish"):
        commands.add_parser(name).add_argument("id", type=int)
    download = commands.add_parser("download", help="save one of: " + ", ".join(DOWNLOADS))
    download.add_argument("id", type=int)
    download.add_argument("name", choices=DOWNLOADS)
    download.add_argument("path", nargs="?")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give a token with --token or GAWEB_TOKEN (make one on the server's /accounts/tokens/ page)")
    client = Client(args.url, args.token)
    try:
        return _run(client, args)
    except GawebError as error:
        print(f"gaweb: {error}", file=sys.stderr)
        return 1


def _run(client: Client, args) -> int:
    if args.command == "submit":
        search = client.submit(args.spec)
        print(f"search #{search.id}: {client.url}/searches/{search.id}/")
        return _followed(search) if args.wait else 0
    if args.command == "list":
        for row in client.searches():
            print(f"#{row['id']:<5} {row['status']:<10} {row['ended']}/{row['total']}  {row['name']}")
        return 0
    search = client.search(args.id)
    if args.command == "state":
        print(json.dumps(search.state()["search"], indent=2))
    elif args.command == "wait":
        return _followed(search)
    elif args.command == "download":
        print(search.download(args.name, args.path))
    else:
        print(json.dumps(getattr(search, args.command)()))
    return 0


def _followed(search) -> int:
    ended = search.wait(progress=True)
    status = ended["status"]
    print(f"search #{search.id} {status}; best fitness {ended['progress'].get('best_fitness')}")
    return 0 if status == "completed" else 1 if status in ENDED else 0


if __name__ == "__main__":
    sys.exit(main())
