"""gunicorn settings for production (`make serve`).

Sync workers, 2n+1 for n cores, is the starting point; the performance benchmark
compares it with threaded workers and updates this file with the figures.
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
