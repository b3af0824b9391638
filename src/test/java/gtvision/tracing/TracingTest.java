package gtvision.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TracingTest {
  private final InMemorySpanExporter exported = InMemorySpanExporter.create();

  private Tracing inMemory(double ratio) {
    return Tracing.withProcessor(SimpleSpanProcessor.create(exported),
        TracingSettings.OFF.withEndpoint("http://127.0.0.1:4318").withSampleRatio(ratio));
  }

  @Test
  void aNodeWithoutAnEndpointHasNoTracingAndItsSpansCostNothing() {
    TracingSettings settings = TracingSettings.from(NodeConfig.load(ConfigFactory.empty()));
    assertFalse(settings.enabled());
    Tracing tracing = Tracing.from(settings);
    assertSame(Tracing.OFF, tracing, "no SDK, no exporter");
    assertFalse(tracing.enabled());
    Span root = tracing.root("frame", SpanKind.INTERNAL, null);
    Span child = tracing.child("persist", SpanKind.INTERNAL, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertSame(Span.getInvalid(), root);
    assertSame(Span.getInvalid(), child, "not even an incoming traceparent makes a span");
    assertNull(Tracing.traceParent(root), "nothing travels in messages or events");
  }

  @Test
  void aChildContinuesTheTraceItsTraceparentNames() {
    Tracing tracing = inMemory(1.0);
    Span frame = tracing.root("frame", SpanKind.INTERNAL, null);
    String parent = Tracing.traceParent(frame);
    assertTrue(parent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), parent);
    assertTrue(Tracing.parent(parent).isSampled(), parent);
    Span persist = tracing.child("persist", SpanKind.INTERNAL, parent);
    persist.end();
    frame.end();
    List<SpanData> spans = exported.getFinishedSpanItems();
    assertEquals(2, spans.size());
    SpanData p = spans.get(0);
    assertEquals("persist", p.getName());
    assertEquals(frame.getSpanContext().getTraceId(), p.getTraceId());
    assertEquals(frame.getSpanContext().getSpanId(), p.getParentSpanId());
    assertEquals("gtvision", p.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));
  }

  @Test
  void aMalformedTraceparentStartsANewTrace() {
    Tracing tracing = inMemory(1.0);
    for (String bad : new String[] {"garbage", "00-00000000000000000000000000000000-b7ad6b7169203331-01", ""}) {
      Span span = tracing.child("ingest", SpanKind.SERVER, bad);
      span.end();
      assertTrue(span.getSpanContext().isValid(), bad);
    }
    assertTrue(exported.getFinishedSpanItems().stream().allMatch(s -> !s.getParentSpanContext().isValid()));
  }

  @Test
  void anUnsampledTraceIsNotExportedAndItsChildrenFollowTheDecision() {
    Tracing tracing = inMemory(0.0);
    Span frame = tracing.root("frame", SpanKind.INTERNAL, null);
    String parent = Tracing.traceParent(frame);
    assertFalse(Tracing.parent(parent).isSampled(), parent);
    Span child = tracing.child("persist", SpanKind.INTERNAL, parent);
    assertFalse(child.getSpanContext().isSampled());
    child.end();
    frame.end();
    assertEquals(List.of(), exported.getFinishedSpanItems());
  }

  @Test
  void badSettingsAreRefusedNamingTheSetting() {
    IllegalArgumentException ratio = assertThrows(IllegalArgumentException.class,
        () -> TracingSettings.OFF.withEndpoint("http://jaeger:4318").withSampleRatio(1.5));
    assertTrue(ratio.getMessage().contains("gtv.tracing.sample-ratio"), ratio.getMessage());
    IllegalArgumentException endpoint = assertThrows(IllegalArgumentException.class,
        () -> TracingSettings.OFF.withEndpoint("jaeger:4318"));
    assertTrue(endpoint.getMessage().contains("gtv.tracing.otlp-endpoint"), endpoint.getMessage());
  }

  @Test
  void spansGoToTheEndpointsTracesPath() {
    assertEquals("http://jaeger:4318/v1/traces", TracingSettings.OFF.withEndpoint("http://jaeger:4318").tracesUrl());
    assertEquals("http://jaeger:4318/v1/traces", TracingSettings.OFF.withEndpoint("http://jaeger:4318/").tracesUrl());
    assertEquals("https://otel.example/v1/traces",
        TracingSettings.OFF.withEndpoint("https://otel.example/v1/traces").tracesUrl());
  }

  @Test
  void logLinesWithinASpanCarryItsIdsAndTheMdcIsRestoredAfter() {
    Tracing tracing = inMemory(1.0);
    Span span = tracing.root("frame", SpanKind.INTERNAL, null);
    MDC.put(TraceLog.TRACE_ID, "outer");
    try (TraceLog log = TraceLog.of(span.getSpanContext())) {
      assertEquals(span.getSpanContext().getTraceId(), MDC.get(TraceLog.TRACE_ID));
      assertEquals(span.getSpanContext().getSpanId(), MDC.get(TraceLog.SPAN_ID));
    }
    assertEquals("outer", MDC.get(TraceLog.TRACE_ID));
    assertNull(MDC.get(TraceLog.SPAN_ID));
    MDC.remove(TraceLog.TRACE_ID);
    try (TraceLog log = TraceLog.of(Span.getInvalid().getSpanContext())) {
      assertNull(MDC.get(TraceLog.TRACE_ID), "tracing off: the MDC is not touched");
    }
  }
}
