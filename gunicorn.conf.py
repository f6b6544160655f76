"""gunicorn settings for production (`make serve`).

Sync workers, 2n+1 for n cores: `make bench` compared them with threaded workers
(n workers × 4 threads) at 10x the reference data, and sync came out ahead on both
engines, on PostgreSQL by 1.1-2.1x per page (bench/RESULTS.md, 2026-12-03). A sync
worker also holds one database connection and cannot let one slow request hold up
others. Re-measure with `make bench` before changing this.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27 shares one control socket per machine; several instances must not clash.
control_socket_disable = True
