// OpenTelemetry tracing, shared by every process (API + projector, worker, CLI): one trace from the HTTP
// request through the Temporal client call, the workflow's update handler, the publish activity and the
// Kafka records' headers to the projector's batch.
//
// Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): then no SDK is started, the API's global tracer stays the no-op one,
// no Temporal interceptor is installed, no `traceparent` header is written, and nothing is sent anywhere.
// On, spans are exported by OTLP over HTTP (JSON) in batches.
//
// What a span may carry: case ids, event types, sequence numbers, route templates, status codes. Never a
// name, a phone number, an ID number or free text: span attributes are not encrypted at rest in whatever
// stores the traces. So the server span names the route's template (`/cases/:id`), not the URL (queries
// could hold a search term); errors are marked by their kind, never by their message; and the workflow
// spans carry a chosen subset of the workflow's info (not its memo or search attributes).
import { fileURLToPath } from 'node:url';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IHeaders } from 'kafkajs';
import { loadTracingVariables } from './config.js';

/** The processes that trace; each is a service of its own unless OTEL_SERVICE_NAME names one. */
export type TracedProcess = 'api' | 'worker' | 'cli';

// Empty variables count as unset (a shell's `X= cmd` or a compose file's blank value).
export interface TracingConfig {
  /** Where spans are posted; undefined: tracing is off. */
  tracesUrl: string | undefined;
  serviceName: string;
}

/** Reads and validates the OTEL_* variables (throws ConfigError naming each bad one). */
export function loadTracingConfig(process: TracedProcess, env: NodeJS.ProcessEnv = globalThis.process.env): TracingConfig {
  const v = loadTracingVariables(env);
  const off = v.OTEL_SDK_DISABLED === 'true' || v.OTEL_TRACES_EXPORTER === 'none';
  const url = v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (v.OTEL_EXPORTER_OTLP_ENDPOINT ? `${v.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  return { tracesUrl: off ? undefined : url, serviceName: v.OTEL_SERVICE_NAME ?? `mediation-${process}` };
}

export interface Tracing {
  enabled: boolean;
  /** Where spans go (for the start-up log line), or 'off'. */
  describe: string;
  /** Sends the spans ended so far (a test, or before exit). */
  flush(): Promise<void>;
  /** Flushes and stops; the global tracer is the no-op one again. */
  shutdown(): Promise<void>;
}

interface Active {
  provider: NodeTracerProvider;
  processor: SpanProcessor;
  resource: Resource;
}

let active: Active | undefined;

const OFF: Tracing = { enabled: false, describe: 'off', flush: async () => undefined, shutdown: async () => undefined };

/**
 * Starts tracing for this process when an endpoint is configured (once per process; a second call
 * returns the first's handle). Call it first thing in main(), before clients are made: the Temporal
 * interceptors are chosen from it.
 */
export function startTracing(process: TracedProcess, env: NodeJS.ProcessEnv = globalThis.process.env): Tracing {
  const config = loadTracingConfig(process, env);
  if (!config.tracesUrl) return OFF;
  if (active) return handle(active, config.tracesUrl);
  const resource = Resource.default()
    .merge(envDetectorSync.detect())
    .merge(new Resource({ [ATTR_SERVICE_NAME]: config.serviceName, 'mediation.process': process }));
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }), { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The AsyncLocalStorage context manager and the W3C trace-context (+ baggage) propagator.
  provider.register();
  active = { provider, processor, resource };
  return handle(active, config.tracesUrl);
}

function handle(a: Active, url: string): Tracing {
  return {
    enabled: true,
    describe: `OTLP ${url}`,
    flush: () => a.provider.forceFlush(),
    async shutdown() {
      if (active !== a) return;
      active = undefined;
      await a.provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export function tracingEnabled(): boolean {
  return active !== undefined;
}

/** The engine's own tracer (a no-op one while tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer('mediation-engine');
}

// ------------------------------------------------------------------ Temporal

/** The Temporal client's interceptors: a span per start, update, query… carrying the context to the workflow. */
export function temporalClientInterceptors(): ClientInterceptors {
  return active ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}

/**
 * The workflow interceptors' module, for the bundle (bundleWorkflowCode's workflowInterceptorModules): the
 * engine's own, which unlike the package's add no await to what a workflow waits on
 * (workflows/tracing-interceptors.ts says why that matters for replay).
 */
export const TRACING_WORKFLOW_MODULES: readonly string[] = [fileURLToPath(new URL('../workflows/tracing-interceptors.ts', import.meta.url))];

/**
 * A worker's tracing: the workflow interceptors (spans for the run's start, each update and each activity
 * it schedules, exported through a sink since a workflow cannot do I/O), the activity interceptors of
 * @temporalio/interceptors-opentelemetry (a span per attempt, in the scheduling span's trace), and that sink. Empty while tracing is off: the bundle then
 * holds no tracing code at all. With a prebuilt bundle, build it with TRACING_WORKFLOW_MODULES.
 */
export function temporalWorkerTracing(): { interceptors?: WorkerInterceptors; sinks?: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> } {
  if (!active) return {};
  return {
    interceptors: {
      workflowModules: [...TRACING_WORKFLOW_MODULES],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: workflowSpanSink(active.processor, active.resource) },
  };
}

/**
 * The sink the workflow interceptors export spans through. The SDK's own copies the whole WorkflowInfo
 * into every span's attributes — memo, search attributes, last failure and all; here only these
 * identifying fields are kept.
 */
export function workflowSpanSink(processor: SpanProcessor, resource: Resource): InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>['exporter'] {
  const inner = makeWorkflowExporter(processor, resource);
  return {
    export: {
      fn: (info: WorkflowInfo, spans) =>
        inner.export.fn(
          { workflowId: info.workflowId, runId: info.runId, workflowType: info.workflowType, taskQueue: info.taskQueue, namespace: info.namespace, attempt: info.attempt } as WorkflowInfo,
          spans,
        ),
    },
  };
}

// ------------------------------------------------------------------ Kafka record headers

/**
 * The W3C trace-context headers (`traceparent`, `tracestate`) of `ctx`, for a Kafka record. Empty while
 * tracing is off or when `ctx` holds no span.
 */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

const kafkaHeaderGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  },
};

/** The context a record's headers carry (the root context when they carry none). */
export function contextFromHeaders(headers: IHeaders | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter) : ROOT_CONTEXT;
}

/** A link to the span that wrote a record, when its headers name one. */
export function linkFromHeaders(headers: IHeaders | undefined): Link | undefined {
  const spanContext = trace.getSpanContext(contextFromHeaders(headers));
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

// ------------------------------------------------------------------ spans around work

/**
 * Runs `fn` in a new active span and ends it. A throw marks the span as an error by the error's kind
 * only (its message might quote what a person typed).
 */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; root?: boolean }, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      markError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

export function markError(span: Span, err: unknown): void {
  const kind = err instanceof Error ? ((err as { code?: unknown }).code?.toString() ?? err.name) : typeof err;
  span.setAttribute('error.type', kind);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

export { SpanKind };

// ------------------------------------------------------------------ the API's server spans

/**
 * A server span per HTTP request, named `METHOD /route/:template`, continuing the caller's trace when it
 * sends `traceparent`. The route's handler runs inside it, so the Temporal client's spans are its
 * children. Attributes: method, route template, status, and the case id when the route has one — never
 * the URL (its query may hold a search term), headers or body. Installed only while tracing is on.
 */
export function traceRequests(app: FastifyInstance): void {
  if (!active) return;
  const spans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      const traced = spans.get(req);
      return traced ? context.with(traced.ctx, () => handler.call(this, req, reply)) : handler.call(this, req, reply);
    };
  });
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url;
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const caseId = (req.params as Record<string, unknown> | undefined)?.id;
    const span = tracer().startSpan(
      route ? `${req.method} ${route}` : req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          ...(route ? { 'http.route': route } : {}),
          'url.scheme': req.protocol,
          ...(typeof caseId === 'string' && route?.startsWith('/cases/:id') ? { 'mediation.case_id': caseId } : {}),
        },
      },
      parent,
    );
    spans.set(req, { span, ctx: trace.setSpan(parent, span) });
    done();
  });
  const end = (req: FastifyRequest, status: number | undefined) => {
    const traced = spans.get(req);
    if (!traced) return;
    spans.delete(req);
    if (status !== undefined) traced.span.setAttribute('http.response.status_code', status);
    if (status === undefined || status >= 500) {
      traced.span.setAttribute('error.type', status === undefined ? 'aborted' : String(status));
      traced.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    traced.span.end();
  };
  app.addHook('onResponse', (req, reply, done) => {
    end(req, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    end(req, undefined);
    done();
  });
}
