// runtime/tracing.ts without servers: the OTEL_* configuration (off unless an endpoint is set, bad values
// named), and the W3C trace context through Kafka record headers — written by the publisher, read back by
// the projector as a link to the publishing span.
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/config.js';
import { contextFromHeaders, linkFromHeaders, loadTracingConfig, startTracing, traceHeaders, tracer, tracingEnabled, workflowSpanSink } from '../../runtime/tracing.js';
import type { WorkflowInfo } from '@temporalio/workflow';
import { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

describe('tracing configuration (OTEL_* variables)', () => {
  it('is off when no endpoint is set, whatever else is', () => {
    expect(loadTracingConfig('api', {}).tracesUrl).toBeUndefined();
    expect(loadTracingConfig('api', { OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracesUrl).toBeUndefined();
    const off = startTracing('worker', { OTEL_SERVICE_NAME: 'x' });
    expect(off.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    // The global tracer is the no-op one: its spans record nothing and carry no context into headers.
    const span = tracer().startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    expect(traceHeaders(trace.setSpan(ROOT_CONTEXT, span))).toEqual({});
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as given; named per process unless OTEL_SERVICE_NAME says', () => {
    expect(loadTracingConfig('api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ tracesUrl: 'http://collector:4318/v1/traces', serviceName: 'mediation-api' });
    expect(
      loadTracingConfig('worker', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp', OTEL_SERVICE_NAME: 'county-worker' }),
    ).toEqual({ tracesUrl: 'https://traces.example/otlp', serviceName: 'county-worker' });
  });

  it('is off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, even with an endpoint', () => {
    expect(loadTracingConfig('api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).tracesUrl).toBeUndefined();
    expect(loadTracingConfig('api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).tracesUrl).toBeUndefined();
  });

  it('names each bad variable and what it expects', () => {
    const bad = () => loadTracingConfig('api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_SDK_DISABLED: 'yes' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/);
    expect(bad).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: only http\/json is supported/);
    expect(bad).toThrow(/OTEL_SDK_DISABLED: expected true or false/);
    expect(() => loadTracingConfig('api', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });
});

describe('trace context in Kafka record headers', () => {
  // The propagator and context manager an SDK registers; here a bare W3C one (no exporter, no SDK start).
  const provider = new BasicTracerProvider();
  afterEach(() => {
    propagation.disable();
    context.disable();
  });

  it('writes traceparent for the active span and reads it back as that span, remote, with its trace state', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const span = provider.getTracer('t').startSpan('publish');
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    const sc = span.spanContext();
    const headers = traceHeaders(ctx);
    expect(headers.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
    // As kafkajs hands them to a consumer: Buffers, beside the record's other headers.
    const received = { 'event-id': Buffer.from('e-1'), traceparent: Buffer.from(headers.traceparent!), tracestate: Buffer.from('vendor=abc') };
    const extracted = trace.getSpanContext(contextFromHeaders(received));
    expect(extracted).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(extracted?.traceState?.get('vendor')).toBe('abc');
    expect(linkFromHeaders(received)).toEqual({ context: extracted });
    span.end();
  });

  it('gives no link for a record without trace headers or with a malformed one, and writes none without a span', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(linkFromHeaders(undefined)).toBeUndefined();
    expect(linkFromHeaders({ 'event-id': Buffer.from('e-1') })).toBeUndefined();
    expect(linkFromHeaders({ traceparent: Buffer.from('00-zz-yy-01') })).toBeUndefined();
    expect(linkFromHeaders({ traceparent: Buffer.from(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`) })).toBeUndefined();
    expect(traceHeaders(ROOT_CONTEXT)).toEqual({});
  });
});

describe('the workflow span sink', () => {
  it("keeps the workflow's identifying fields and drops the rest of its info (memo, search attributes)", () => {
    const ended: ReadableSpan[] = [];
    const processor = { onEnd: (span: ReadableSpan) => ended.push(span), onStart: () => undefined, forceFlush: async () => undefined, shutdown: async () => undefined } as SpanProcessor;
    const sink = workflowSpanSink(processor, new Resource({ 'service.name': 't' }));
    const info = { workflowId: 'MC-1', runId: 'r-1', workflowType: 'caseWorkflow', taskQueue: 'q', namespace: 'default', attempt: 1, memo: { name: '张三' }, searchAttributes: { CaseStatus: ['received'] } } as unknown as WorkflowInfo;
    const span = {
      name: 'RunWorkflow:caseWorkflow',
      kind: 0,
      spanContext: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 },
      startTime: [0, 0],
      endTime: [0, 1],
      status: { code: 0 },
      attributes: {},
      links: [],
      events: [],
      duration: [0, 1],
      ended: true,
      droppedAttributesCount: 0,
      droppedLinksCount: 0,
      droppedEventsCount: 0,
      instrumentationLibrary: { name: 'x' },
    };
    sink.export.fn(info, [span] as never);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.attributes).toEqual({ workflowId: 'MC-1', runId: 'r-1', workflowType: 'caseWorkflow', taskQueue: 'q', namespace: 'default', attempt: 1 });
  });
});
