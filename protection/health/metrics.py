"""The pipeline's figures as Prometheus gauges, for a monitor that scrapes /health/metrics.

Written with prometheus-client's exposition (one small library, no dependencies of its own).
Each scrape measures afresh, like the JSON, so several gunicorn processes need no shared
state; django-prometheus, which counts requests and queries in every process, would need
prometheus-client's multi-process mode and a shared directory for figures nobody asked for.
A figure that could not be measured has no value sample, and its status gauge says critical.
"""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from protection.health import figures as f
from protection.health.selectors import PipelineHealth

PREFIX = "protection_pipeline_"

HELP = {
    f.QUEUE_DEPTH: "Tasks waiting in the Celery queues (Redis LLEN).",
    f.OLDEST_PENDING: "Seconds the oldest pending delivery has waited (0: none pending).",
    f.DEAD_24H: "Deliveries given up in the last 24 hours.",
    f.PENDING: "Deliveries written and not sent yet.",
    f.FAILED: "Deliveries whose last try failed, to be tried again.",
    f.BEAT_AGE: "Seconds since a worker recorded beat's last heartbeat.",
    f.WORKERS: "Celery workers that answered a ping.",
}


class PipelineCollector(Collector):
    """Yield one measurement of the pipeline as gauges."""

    def __init__(self, health: PipelineHealth) -> None:
        self.health = health

    def collect(self) -> Iterator[Metric]:
        status = GaugeMetricFamily(
            f"{PREFIX}status",
            "Status of each figure: 0 ok, 1 warning, 2 critical (also when not measured).",
            labels=["figure"],
        )
        for figure in self.health.figures:
            status.add_metric([figure.name], int(figure.status))
            if figure.value is None:
                continue
            if figure.name == f.QUEUE_DEPTH:
                gauge = GaugeMetricFamily(PREFIX + figure.name, HELP[figure.name], labels=["queue"])
                for queue, depth in sorted(self.health.queues.items()):
                    gauge.add_metric([queue], float(depth))
                yield gauge
                continue
            yield GaugeMetricFamily(PREFIX + figure.name, HELP[figure.name], value=figure.value)
        yield status
        yield GaugeMetricFamily(
            f"{PREFIX}overall_status",
            "The worst status of all figures: 0 ok, 1 warning, 2 critical.",
            value=int(self.health.status),
        )


def exposition(health: PipelineHealth) -> bytes:
    """Return the Prometheus text exposition of one measurement."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PipelineCollector(health))
    return generate_latest(registry)
