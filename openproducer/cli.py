"""The ``openproducer`` command: serve, worker, keys, credits, migrate, generate."""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from openproducer.core.config import Settings, load_settings

__all__ = ["main"]

log = logging.getLogger("openproducer")

_STORED_PREFIX = 11  # characters of a key kept in clear (store/keys.py): "op_" and 8 more


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    return load_settings(data_dir=args.data_dir, **extra)


def _setup_logging(settings: Settings, verbose: bool = False) -> None:
    from openproducer.core.logs import setup_logging

    setup_logging(settings.log_format, verbose)


def _migrate(settings: Settings) -> None:
    from openproducer.extras import check_extras
    from openproducer.store.db import migrate

    check_extras(settings)  # a database, broker or storage whose client is missing: say which extra
    migrate(settings.resolved_database_url)


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _migrate(settings)
    print(f"database at the newest schema: {settings.resolved_database_url}")
    return 0


def _lock_data_dir(settings: Settings) -> Any:
    """Embedded mode owns its data folder: a second `serve` on it would steal running tasks."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(settings.data_dir / "serve.lock", "w")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(
            f"another openproducer serve is using {settings.data_dir}: give this one its own --data-dir"
            " (env OPENPRODUCER_DATA_DIR)"
        ) from None
    return handle


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from openproducer.api.app import create_app
    from openproducer.api.server import uvicorn_options
    from openproducer.runtime import build_runtime

    workers = 0 if args.no_workers else args.workers
    settings = _settings(args, host=args.host, port=args.port, workers=workers)
    _setup_logging(settings, args.verbose)
    _migrate(settings)
    lock = _lock_data_dir(settings) if settings.embedded_broker and settings.workers > 0 else None
    runtime = build_runtime(settings)
    app = create_app(runtime)
    log.info("serving on http://%s:%d (API under /api/v1, docs at /docs)", settings.host, settings.port)
    uvicorn.run(app, **uvicorn_options(settings), log_level="warning", access_log=args.access_log)
    if lock is not None:
        lock.close()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from openproducer.runtime import build_runtime

    if args.cpu is not None:
        # Before any thread or child process exists, so all of them inherit the mask: one worker
        # per core then scales with cores, whatever threads a render uses inside.
        os.sched_setaffinity(0, {args.cpu % (os.cpu_count() or 1)})
    settings = _settings(args)
    _setup_logging(settings, args.verbose)
    if settings.embedded_broker:
        raise SystemExit("worker: set OPENPRODUCER_BROKER_URL (redis:// or amqp://); embedded mode runs in serve")
    runtime = build_runtime(settings)
    queues = ["io", "webhooks", *(f"engine.{name}" for name in args.engines)] if args.engines else None
    runtime.start_workers(args.concurrency, queues)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("worker consuming %s with %d thread(s)", sorted(queues or runtime.queues), args.concurrency)
    stop.wait()
    runtime.stop()
    return 0


def _db(settings: Settings):  # type: ignore[no-untyped-def]
    from openproducer.store.db import Database

    _migrate(settings)
    return Database(settings.resolved_database_url)


def cmd_keys_create(args: argparse.Namespace) -> int:
    from openproducer.core.credits import grant
    from openproducer.store.keys import create_key

    db = _db(_settings(args))
    with db.session() as session:
        key, plaintext = create_key(session, args.name)
        if args.credits:
            grant(session, key.id, args.credits, note="initial credits")
        if args.extra_credits:
            grant(session, key.id, args.extra_credits, extra=True, note="initial extra credits")
    print(f"created key {key.prefix} ({args.name}) with {args.credits} credits; it is shown once:")
    print(plaintext)
    return 0


def cmd_keys_demo(args: argparse.Namespace) -> int:
    """The key `make serve` prints: created once, kept in the data folder for the demo."""
    from openproducer.core.credits import grant
    from openproducer.store.keys import create_key, find_key

    settings = _settings(args)
    db = _db(settings)
    path = settings.data_dir / "demo-key.txt"
    if path.is_file():
        plaintext = path.read_text().strip()
        with db.session(write=False) as session:
            if find_key(session, plaintext) is not None:
                print(plaintext)
                return 0
    with db.session() as session:
        key, plaintext = create_key(session, "demo")
        grant(session, key.id, args.credits, note="demo credits")
    path.write_text(plaintext + "\n")
    path.chmod(0o600)
    print(plaintext)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from openproducer.core.credits import get_balance
    from openproducer.store.keys import list_keys

    db = _db(_settings(args))
    with db.session(write=False) as session:
        for key in list_keys(session):
            balance = get_balance(session, key.id)
            state = "disabled" if key.disabled else "active"
            # The prefix as `credits add` takes it (no ellipsis: a copied "op_AbC…" would match nothing).
            print(f"{key.prefix}\t{key.name}\t{state}\tcredits={balance.credits}\textra={balance.extra_credits}")
    return 0


def key_prefix_argument(text: str) -> str:
    """A key prefix as typed or pasted: surrounding space and a trailing "…" or "..." are dropped."""
    return text.strip().rstrip("…").removesuffix("...").strip()


def cmd_credits_add(args: argparse.Namespace) -> int:
    from openproducer.core.credits import grant
    from openproducer.store.keys import find_by_prefix, find_key

    prefix = key_prefix_argument(args.key_prefix)
    db = _db(_settings(args))
    with db.session() as session:
        whole = find_key(session, prefix) if len(prefix) > _STORED_PREFIX else None  # a whole key works too
        found = [whole] if whole is not None else find_by_prefix(session, prefix) if prefix else []
        if len(found) != 1:
            print(f"key prefix {prefix!r} matches {len(found)} keys; copy a prefix from `openproducer keys list`",
                  file=sys.stderr)
            return 2
        grant(session, found[0].id, args.amount, extra=args.extra, note="credits add")
    pool = "extra credits" if args.extra else "credits"
    print(f"added {args.amount} {pool} to {found[0].prefix} ({found[0].name})")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from openproducer.offline import generate_song

    lyrics = Path(args.lyrics_file).read_text() if args.lyrics_file else ""
    return generate_song(_settings(args), args, lyrics)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openproducer", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=None, help="data folder (env OPENPRODUCER_DATA_DIR)")
    common.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the API (and, embedded, the workers)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=None, help="worker threads in this process")
    serve.add_argument("--no-workers", action="store_true", help="API node only (scale mode)")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", parents=[common], help="run a worker (scale mode)")
    worker.add_argument("--engines", nargs="*", default=None, help="serve only these engines' queues")
    worker.add_argument("--concurrency", type=int, default=1)
    worker.add_argument("--cpu", type=int, default=None, help="pin this worker (and its ffmpeg) to one CPU core")
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", parents=[common], help="bring the database schema up to date").set_defaults(
        func=cmd_migrate
    )

    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", parents=[common], help="create a key (printed once, last line)")
    create.add_argument("--name", required=True)
    create.add_argument("--credits", type=int, default=0)
    create.add_argument("--extra-credits", type=int, default=0)
    create.set_defaults(func=cmd_keys_create)
    keys.add_parser("list", parents=[common], help="list keys and balances").set_defaults(func=cmd_keys_list)
    demo = keys.add_parser("demo", parents=[common], help="print the demo key, creating it once")
    demo.add_argument("--credits", type=int, default=1000)
    demo.set_defaults(func=cmd_keys_demo)

    credits = sub.add_parser("credits", help="credits").add_subparsers(dest="credits_command", required=True)
    add = credits.add_parser("add", parents=[common], help="grant credits to a key")
    add.add_argument("key_prefix")
    add.add_argument("amount", type=int)
    add.add_argument("--extra", action="store_true", help="grant extra credits (spent first)")
    add.set_defaults(func=cmd_credits_add)

    generate = sub.add_parser("generate", parents=[common], help="make a song offline, no server")
    generate.add_argument("--sound", required=True)
    generate.add_argument("--lyrics-file", default=None)
    generate.add_argument("--seed", default=None)
    generate.add_argument("--bpm", type=float, default=None)
    generate.add_argument("--length", type=float, default=None)
    generate.add_argument("--title", default="")
    generate.add_argument("--mv", default=None)
    generate.add_argument("--instrumental", action="store_true")
    generate.add_argument("-o", "--output", required=True, help="output .mp3 or .wav")
    generate.set_defaults(func=cmd_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    from openproducer.extras import MissingExtra

    args = _parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MissingExtra as exc:
        print(f"openproducer {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
