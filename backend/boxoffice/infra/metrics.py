"""Prometheus metrics, one registry per process (each service is its own process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_LATENCY = Histogram(
    "boxoffice_request_seconds",
    "Request latency by route",
    ["service", "route", "method", "status"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RATE_LIMIT_REJECTIONS = Counter(
    "boxoffice_rate_limit_rejections_total",
    "Requests refused by the token bucket",
    ["group"],
    registry=REGISTRY,
)
RATE_LIMIT_FAIL_OPEN = Counter(
    "boxoffice_rate_limit_fail_open_total",
    "Requests let through because Redis was unreachable",
    registry=REGISTRY,
)
UPSTREAM_ERRORS = Counter(
    "boxoffice_upstream_errors_total",
    "Gateway calls that failed to reach a service",
    ["service", "kind"],
    registry=REGISTRY,
)
STREAM_CONNECTIONS = Gauge(
    "boxoffice_stream_connections",
    "Open SSE / WebSocket connections",
    ["kind"],
    registry=REGISTRY,
)
HOLDS = Counter("boxoffice_holds_total", "Hold attempts by outcome", ["outcome"], registry=REGISTRY)
ORDERS = Counter("boxoffice_orders_total", "Orders by outcome", ["outcome"], registry=REGISTRY)
OUTBOX_LAG = Gauge("boxoffice_outbox_lag_seconds", "Age of the oldest undelivered outbox row", registry=REGISTRY)
OUTBOX_DEAD = Gauge("boxoffice_outbox_dead_rows", "Outbox rows that gave up", registry=REGISTRY)
OUTBOX_DELIVERED = Counter("boxoffice_outbox_delivered_total", "Outbox rows delivered", registry=REGISTRY)
JOBS_LAG = Gauge("boxoffice_jobs_lag_seconds", "How long the oldest due job has waited", registry=REGISTRY)
JOBS_DEAD = Gauge("boxoffice_jobs_dead", "Jobs that gave up (e.g. refunds of a cancelled event)", registry=REGISTRY)
JOBS_DONE = Counter("boxoffice_jobs_done_total", "Jobs finished, by kind", ["kind"], registry=REGISTRY)
STORE_UNAVAILABLE = Counter(
    "boxoffice_store_unavailable_total",
    "Requests answered 503 because a store did not answer",
    ["store"],
    registry=REGISTRY,
)
