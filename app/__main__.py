"""Command line: `python -m app check` validates content; `python -m app serve` runs the site."""

from __future__ import annotations

import argparse
import datetime as dt
import logging.config
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import address
from .settings import Settings

if TYPE_CHECKING:
    from .build.bundle import Prefetch
    from .build.cachekey import LastBuild
    from .content.records import Content


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return _run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate every content file and list all problems")
    commands.add_parser("build", help="validate and build into the build cache (build/cache/)")
    serve = commands.add_parser("serve", help="validate content, then serve the site")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
    serve.add_argument("--reload", action="store_true", help="reload on code changes (development)")
    dev = commands.add_parser(
        "dev", help="serve for editing: content changes rebuild in place, code changes restart"
    )
    dev.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    dev.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
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
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "dev":
        return _dev(args)
    settings = Settings.from_env()
    if args.command in ("serve", "build"):
        return _build_and_serve(args, settings)
    from .content.errors import ContentError
    from .content.freshness import overdue
    from .content.loader import load_content

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

    return 0


def _build_and_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Check and build once, here, before any worker starts. `serve` builds in this process,
    from the build cache (a cold build's pool workers fill it), and granian's workers are forks
    of it; `build` only fills the cache (`make run` and the Dockerfile run it first), as does
    `serve --reload`, whose workers each build. Invalid content stops with the list of every
    problem."""
    if args.command == "serve":  # the workers build for the address actually served
        os.environ["HOST"], os.environ["PORT"] = args.host, str(args.port)
        settings = Settings.from_env()
    from .build.cachekey import last_build

    last = last_build(settings)  # reads no content file: the last build had exactly these
    prefetch = _prefetch(last) if args.command == "serve" and not args.reload else None
    if last is not None and last.done:
        print("content OK: unchanged since the last build (build/cache/)", file=sys.stderr)
    elif args.command == "build" or args.reload:
        code = _in_child(lambda: _prebuild(settings))
        if code or args.command == "build":
            return code
    if args.command == "build":
        return 0
    from .serve.servers import serve_site

    if not args.reload:  # built once, here: granian's workers are forks of this process
        code = _preload(settings, last, prefetch)
        if code:
            return code
    public = address.site_url_from(os.environ)
    print(address.announce(public, address.is_set()), file=sys.stderr, flush=True)
    serve_site(args.host, args.port, args.workers, args.reload)
    return 0


def _prefetch(last: LastBuild | None) -> Prefetch | None:
    """The cache files a build read, being read in a thread while the app is imported: the last
    build with these files' (waited for while the start before this one writes it), else the
    last bundle written (app/build/bundle.py)."""
    from .build import bundle

    if last is None:
        return None
    for key in (last.build_key if last.done else "", bundle.latest(last.root)):
        file = bundle.path(last.root, key)
        if key and (file.is_file() or bundle.being_written(file)):
            return bundle.Prefetch(file)
    return None


def _preload(settings: Settings, last: LastBuild | None, prefetch: Prefetch | None) -> int:
    from .content.errors import ContentError
    from .serve.app import preload
    from .serve.middleware import log_config

    logging.config.dictConfig(log_config())  # the build's report line, as the workers log it
    try:
        site = preload(settings, last.environment if last is not None else None, prefetch)
    except ContentError as exc:  # the report of every problem
        print(exc.report(), file=sys.stderr)
        return 1
    if last is not None and not last.done:
        _content_ok(site.content)
    if last is not None and last.build_key != site.build_key:
        last.mark(site.build_key)  # the next start with these files reads no content file first
    return 0


def _dev(args: argparse.Namespace) -> int:
    """uvicorn with its reloader for code; content reloads in the process, through the cache
    (app/serve/devreload.py)."""
    import uvicorn

    from .serve.middleware import log_config
    from .settings import ROOT

    os.environ["HOST"], os.environ["PORT"] = args.host, str(args.port)
    uvicorn.run(
        "app.serve.devreload:create",
        factory=True,
        host=args.host,
        port=args.port,
        reload=True,
        reload_dirs=[str(ROOT / "app")],
        access_log=False,
        proxy_headers=False,  # the app handles forwarded headers itself
        server_header=False,
        log_config=log_config(),
    )
    return 0


def _prebuild(settings: Settings) -> int:
    from .build.site import prebuild
    from .content.errors import ContentError

    try:
        content = prebuild(settings)
    except ContentError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    if content is None:
        print("content OK: unchanged since the last build (build/cache/)", file=sys.stderr)
    else:
        _content_ok(content)
    return 0


def _in_child(work: Callable[[], int]) -> int:
    """Run `work` in a forked child and return its exit code: the memory a build used goes
    with the child, not into the server's main process (which only watches its workers)."""
    if not hasattr(os, "fork"):
        return work()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            code = work()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _content_ok(content: Content) -> None:
    from .content.freshness import overdue

    for warning in overdue(content.pages.values(), dt.date.today()):
        print(f"warning: {warning}", file=sys.stderr)  # a reminder; never fails the check
    print(
        f"content OK: {len(content.pages)} pages, {len(content.sources)} sources, "
        f"{sum(len(s.excerpts) for s in content.sources.values())} excerpts verified",
        file=sys.stderr,
    )


if __name__ == "__main__":
    sys.exit(main())
