package gtvision.tracing;

import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;

/**
 * Puts a span's ids into the log MDC ({@code traceId}, {@code spanId}) for the lines logged on this thread
 * until {@link #close()}, which restores what was there. For the log lines about one frame or request,
 * written in a callback of its asynchronous work: the MDC is the thread's, so it is set around the
 * logging call, never left behind. An invalid context (tracing off) touches nothing.
 */
public final class TraceLog implements AutoCloseable {
  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";
  private static final TraceLog NOTHING = new TraceLog(false, null, null);

  private final boolean set;
  private final String previousTrace;
  private final String previousSpan;

  private TraceLog(boolean set, String previousTrace, String previousSpan) {
    this.set = set;
    this.previousTrace = previousTrace;
    this.previousSpan = previousSpan;
  }

  public static TraceLog of(SpanContext context) {
    if (context == null || !context.isValid()) return NOTHING;
    TraceLog scope = new TraceLog(true, MDC.get(TRACE_ID), MDC.get(SPAN_ID));
    MDC.put(TRACE_ID, context.getTraceId());
    MDC.put(SPAN_ID, context.getSpanId());
    return scope;
  }

  /** The same for a span named by its W3C {@code traceparent}. */
  public static TraceLog of(String traceParent) {
    return traceParent == null ? NOTHING : of(Tracing.parent(traceParent));
  }

  @Override
  public void close() {
    if (!set) return;
    restore(TRACE_ID, previousTrace);
    restore(SPAN_ID, previousSpan);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
