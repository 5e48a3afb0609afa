"""Command line: `python -m app check` validates content; `python -m app serve` runs the site."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from . import address
from .content.errors import ContentError
from .content.freshness import overdue
from .content.loader import load_content
from .serve.servers import serve_site
from .settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate every content file and list all problems")
    serve = commands.add_parser("serve", help="validate content, then serve the site")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
    serve.add_argument("--reload", action="store_true", help="reload on code changes (development)")
    archive = commands.add_parser(
        "archive", help="record the current version of every page not yet in the archive"
    )
    archive.add_argument(
        "--check", action="store_true", help="only check that every current version is recorded"
    )
    export = commands.add_parser("export", help="write the whole site as static files to DIR")
    export.add_argument("dir", help="output folder (created; an earlier export there is replaced)")
    export.add_argument(
        "--gzip", action="store_true", help="also write .gz files (for nginx gzip_static)"
    )
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    try:
        content = load_content(settings.content_dir)
    except ContentError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    if args.command == "check":
        for warning in overdue(content.pages.values(), dt.date.today()):
            print(f"warning: {warning}", file=sys.stderr)  # a reminder; never fails the check
        print(
            f"content OK: {len(content.pages)} pages, {len(content.sources)} sources, "
            f"{sum(len(s.excerpts) for s in content.sources.values())} excerpts verified"
        )
        return 0

    if args.command == "archive":
        from .build.archive_command import command

        return command(settings, content, args.check)

    if args.command == "export":
        from .export import ExportError, export_site

        if not address.is_set():
            print(address.export_warning(settings.site_url), file=sys.stderr)

        try:
            return export_site(settings, args.dir, args.gzip)
        except ExportError as exc:
            print(f"export failed: {exc}", file=sys.stderr)
            return 1

    # The workers build the site from the environment: give them the address actually served.
    os.environ["HOST"], os.environ["PORT"] = args.host, str(args.port)
    public = address.site_url_from(os.environ)
    print(address.announce(public, address.is_set()), file=sys.stderr, flush=True)
    serve_site(args.host, args.port, args.workers, args.reload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
