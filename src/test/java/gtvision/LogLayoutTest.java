package gtvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.tracing.TraceLog;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The node's own logback.xml, in both formats: lines carry the trace id, and never a credential. */
class LogLayoutTest {
  private static final SpanContext SPAN = SpanContext.create(
      "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());
  private static final String[] SECRETS = {"hunter2", "s3cr3t", "tok123"};

  /** Lines as the production configuration writes them, GTV_LOG_FORMAT set to {@code format} (null: unset). */
  private static String line(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    if (format != null) context.putProperty("GTV_LOG_FORMAT", format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogLayoutTest.class.getResource("/logback.xml"));
    try {
      AsyncAppender async = (AsyncAppender) context.getLogger("ROOT").getAppender("ASYNC");
      OutputStreamAppender<ILoggingEvent> stdout = (OutputStreamAppender<ILoggingEvent>) async.getAppender("STDOUT");
      var error = new IllegalStateException("cannot open rtsp://admin:hunter2@10.0.0.7/s1",
          new IOException("GET http://cam/snap.jpg?token=s3cr3t refused for rtsp://tok123@10.0.0.8/"));
      LoggingEvent event = new LoggingEvent("test", context.getLogger("gtvision.camera.stream.CameraStream"),
          Level.WARN, "Analyser failed on camera gate-3: {}", error, new Object[] {"rtsp://admin:hunter2@10.0.0.7/s1"});
      try (TraceLog log = TraceLog.of(SPAN)) {
        event.setMDCPropertyMap(Map.copyOf(MDC.getCopyOfContextMap()));
      }
      return new String(stdout.getEncoder().encode(event), StandardCharsets.UTF_8);
    } finally {
      context.stop();
    }
  }

  @Test
  void jsonLinesAreOneObjectWithTheTraceIdAndMaskedCredentials() throws Exception {
    String line = line("json");
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("WARN", json.path("level").asText());
    assertEquals("gtvision.camera.stream.CameraStream", json.path("logger").asText());
    assertTrue(json.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), line);
    assertEquals("Analyser failed on camera gate-3: rtsp://admin:***@10.0.0.7/s1", json.path("message").asText());
    assertEquals(SPAN.getTraceId(), json.path("traceId").asText());
    assertEquals(SPAN.getSpanId(), json.path("spanId").asText());
    assertEquals(SPAN.getTraceId(), json.path("mdc").path("traceId").asText());
    String exception = json.path("exception").asText();
    assertTrue(exception.contains("IllegalStateException") && exception.contains("?token=***"), exception);
    for (String secret : SECRETS) assertFalse(line.contains(secret), line);
  }

  @Test
  void textLinesShowTheTraceIdAndMaskCredentials() throws Exception {
    for (String format : new String[] {null, "text", "TEXT"}) {
      String text = line(format);
      assertTrue(text.contains(" " + SPAN.getTraceId() + " - Analyser failed on camera gate-3: rtsp://admin:***@10.0.0.7/s1"),
          text);
      assertTrue(text.contains("?token=***"), text);
      for (String secret : SECRETS) assertFalse(text.contains(secret), text);
    }
  }

  @Test
  void aTextLineOutsideASpanHasNoTraceField() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogLayoutTest.class.getResource("/logback.xml"));
    try {
      AsyncAppender async = (AsyncAppender) context.getLogger("ROOT").getAppender("ASYNC");
      OutputStreamAppender<ILoggingEvent> stdout = (OutputStreamAppender<ILoggingEvent>) async.getAppender("STDOUT");
      LoggingEvent event = new LoggingEvent("test", context.getLogger("gtvision.Main"), Level.INFO, "started", null, null);
      event.setMDCPropertyMap(Map.of());
      String text = new String(stdout.getEncoder().encode(event), StandardCharsets.UTF_8);
      // As before traces existed: the logger, an empty pekkoSource, the message; no empty trace field.
      assertTrue(text.contains(" gtvision.Main  - started"), text);
    } finally {
      context.stop();
    }
  }

  @Test
  void anUnknownFormatLogsTextRatherThanNothing() throws Exception {
    String text = line("yaml");
    assertTrue(text.contains("Analyser failed on camera gate-3"), text);
    assertFalse(text.startsWith("{"), text);
  }
}
