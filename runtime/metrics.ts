// Prometheus metrics of the API process (the API and the projector it hosts), with prom-client. One
// registry per process (not prom-client's global one, so tests that start several APIs in one process do
// not share counters). Labels never carry a case id or anything a person typed: the HTTP route is the
// route's template (`/cases/:id`), not the URL.
//
// The worker's metrics come from the Temporal SDK's own runtime (worker/main.ts, WORKER_METRICS_ADDRESS):
// task latencies, slots, sticky cache, activity failures, plus the publish activity's counters below.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where scrape-time values come from; the process that knows them sets them (api/main.ts, test stacks). */
export interface ScrapeSources {
  projectorLag?: () => Promise<Array<{ partition: number; lag: number }>>;
  parked?: () => Promise<{ events: number; oldestParkedAt: string | null }>;
  /** Running cases that keep failing to publish, and whose clock check keeps being rejected (api/health.ts). */
  failingCases?: () => Promise<{ publishStalled: number; clockCheckFailing: number }>;
}

export interface ProcessMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpSeconds: Histogram<'method' | 'route'>;
  projectedEvents: Counter<'result'>;
  projectorBatchSeconds: Histogram;
  /** 1 for each partition this process's projector was given at the last rebalance (none while it is out of the group). */
  projectorPartitions: Gauge<'partition'>;
  sources: ScrapeSources;
}

export function createProcessMetrics(now: () => number = Date.now): ProcessMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mediation_' });
  const sources: ScrapeSources = {};
  // prom-client reads these on every scrape (`collect`); a reading that fails leaves the gauge empty,
  // so a missing series is the alert (the projector still joining, the database down).
  new Gauge({
    name: 'mediation_projector_lag_events',
    help: 'Events on the topic not yet in the read models, per partition',
    labelNames: ['partition'],
    registers: [registry],
    async collect() {
      this.reset();
      const lag = await sources.projectorLag?.().catch(() => undefined);
      for (const p of lag ?? []) this.set({ partition: String(p.partition) }, p.lag);
    },
  });
  const parked = () => sources.parked?.().catch(() => undefined);
  new Gauge({
    name: 'mediation_parked_events',
    help: 'Events in the dead-letter table (mediation dead-letters list)',
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await parked();
      if (summary) this.set(summary.events);
    },
  });
  new Gauge({
    name: 'mediation_oldest_parked_event_age_seconds',
    help: 'Age of the oldest parked event (0 when none)',
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await parked();
      if (summary) this.set(summary.oldestParkedAt ? Math.max(0, (now() - Date.parse(summary.oldestParkedAt)) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'mediation_failing_cases',
    help: 'Running cases whose events keep failing to reach Kafka (publish-stalled) or whose clock check the core keeps rejecting (clock-check-failing)',
    labelNames: ['failure'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await sources.failingCases?.().catch(() => undefined);
      if (!counts) return;
      this.set({ failure: 'publish-stalled' }, counts.publishStalled);
      this.set({ failure: 'clock-check-failing' }, counts.clockCheckFailing);
    },
  });
  return {
    registry,
    sources,
    httpRequests: new Counter({ name: 'mediation_http_requests_total', help: 'HTTP requests answered, by method, route template and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpSeconds: new Histogram({
      name: 'mediation_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route template',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    projectedEvents: new Counter({ name: 'mediation_projector_events_total', help: 'Records the projector handled: applied, duplicate (skipped) or parked', labelNames: ['result'], registers: [registry] }),
    projectorPartitions: new Gauge({
      name: 'mediation_projector_assigned_partitions',
      help: "Partitions of the topic assigned to this process's projector (1 each), as of the consumer group's last rebalance",
      labelNames: ['partition'],
      registers: [registry],
    }),
    projectorBatchSeconds: new Histogram({ name: 'mediation_projector_batch_duration_seconds', help: 'Time to apply one batch (one partition) to the read models', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
  };
}
