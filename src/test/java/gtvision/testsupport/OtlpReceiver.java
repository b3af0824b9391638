package gtvision.testsupport;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A local OTLP/HTTP trace receiver (what Jaeger or a collector serves on :4318): takes protobuf
 * {@code ExportTraceServiceRequest}s on {@code POST /v1/traces} and keeps every span it decoded.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** One received span; ids in lowercase hex, {@code parentSpanId} empty for a root, {@code kind} SERVER, CLIENT, ... */
  public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
      String kind, Map<String, String> attributes) {}

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/traces", this::handle);
    server.start();
  }

  /** What GTV_OTLP_ENDPOINT is set to. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** How many export requests arrived (content type of each). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Polls until the received spans satisfy {@code condition}; fails with what arrived. */
  public List<ReceivedSpan> await(Predicate<List<ReceivedSpan>> condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<ReceivedSpan> now = spans();
      if (condition.test(now)) return now;
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no " + what + " within " + timeout + "; received " + spans());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      InputStream body = exchange.getRequestBody();
      if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        body = new GZIPInputStream(body);
      }
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
      for (ResourceSpans resource : request.getResourceSpansList()) {
        String service = resource.getResource().getAttributesList().stream()
            .filter(kv -> kv.getKey().equals("service.name")).map(kv -> kv.getValue().getStringValue())
            .findFirst().orElse("");
        for (ScopeSpans scope : resource.getScopeSpansList()) {
          for (var span : scope.getSpansList()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (KeyValue kv : span.getAttributesList()) attributes.put(kv.getKey(), text(kv.getValue()));
            spans.add(new ReceivedSpan(service, hex(span.getTraceId()), hex(span.getSpanId()),
                hex(span.getParentSpanId()), span.getName(), span.getKind().name().replace("SPAN_KIND_", ""), attributes));
          }
        }
      }
      byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    }
  }

  private static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      default -> value.toString();
    };
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
