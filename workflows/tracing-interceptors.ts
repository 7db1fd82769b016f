// The workflow side of tracing (runtime/tracing.ts): bundled only into a worker that traces
// (bundleWorkflowCode's workflowInterceptorModules). Spans for the run's start, each update handled and
// each activity or child workflow started, with the trace context passed on in the Temporal headers in
// the format of @temporalio/interceptors-opentelemetry (its client and activity interceptors read it).
//
// Why not that package's workflow interceptors: they await around every call they wrap, so the promise of
// a scheduled activity or an update resolves a few microtasks later than without them. In a case workflow
// the outbox loop and the effects loop both act on the same activation, and that delay reorders their
// commands (a child's signal before the next publish): a history recorded with tracing off does not
// replay with tracing on, and the other way round (test/unit/replay.unit.spec.ts showed it). These
// interceptors never add a microtask to a promise the workflow waits on: a span ends on a side branch of
// the promise (or once the call is made), and the workflow gets the very promise it would have got.
// So tracing can be switched on and off under running cases.
//
// Spans are made with sdk-trace-base inside the sandbox (workflow time, the run's seeded ids, so a replay
// makes the same ids) and leave it through the `exporter` sink, which replay never calls.
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime.js';
import * as otel from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { extractContextFromHeaders, headersWithContext } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager.js';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter.js';
import {
  workflowInfo,
  type ActivityInput,
  type DisposeInput,
  type Next,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

let tracer: otel.Tracer | undefined;
let contextManager: ContextManager | undefined;

function workflowTracer(): otel.Tracer {
  if (!tracer) {
    contextManager = new ContextManager();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new SpanExporter())] });
    provider.register({ contextManager });
    tracer = provider.getTracer('mediation-engine-workflow');
  }
  return tracer;
}

/** Ends `span` when `promise` settles, on a branch of its own: whoever awaits `promise` is not delayed. */
function endWhenSettled(span: otel.Span, promise: Promise<unknown>): void {
  promise.then(
    () => span.end(),
    () => {
      span.setStatus({ code: otel.SpanStatusCode.ERROR });
      span.end();
    },
  );
}

class TracingInbound implements WorkflowInboundCallsInterceptor {
  // The run's start: a case's run lasts months, so the span covers its first activation only; what the
  // run does later (clock checks and their publishing) still becomes its children.
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    const span = workflowTracer().startSpan(`RunWorkflow:${workflowInfo().workflowType}`, {}, parent);
    try {
      return otel.context.with(otel.trace.setSpan(parent, span), () => next(input));
    } finally {
      span.end();
    }
  }

  // A staff command: the events it decides are published in this span's context (case-workflow.ts, outbox).
  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    const span = workflowTracer().startSpan(`HandleUpdate:${input.name}`, { attributes: { temporalUpdateId: input.updateId } }, parent);
    const handled = otel.context.with(otel.trace.setSpan(parent, span), () => next(input));
    endWhenSettled(span, handled);
    return handled;
  }
}

class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  // The scheduling of an activity; the activity's run (RunActivity, the activity interceptor) is its child.
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    const span = workflowTracer().startSpan(`StartActivity:${input.activityType}`);
    try {
      const headers = otel.context.with(otel.trace.setSpan(otel.context.active(), span), () => headersWithContext(input.headers));
      return next({ ...input, headers });
    } finally {
      span.end();
    }
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    const span = workflowTracer().startSpan(`StartChildWorkflow:${input.workflowType}`);
    try {
      const headers = otel.context.with(otel.trace.setSpan(otel.context.active(), span), () => headersWithContext(input.headers));
      return next({ ...input, headers });
    } finally {
      span.end();
    }
  }
}

class TracingInternals implements WorkflowInternalsInterceptor {
  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    contextManager?.disable();
    next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  // Registers the W3C propagator before the first header is read (the run's start).
  workflowTracer();
  return {
    inbound: [new TracingInbound()],
    outbound: [new TracingOutbound()],
    internals: [new TracingInternals()],
  };
};
