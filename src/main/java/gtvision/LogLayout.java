package gtvision;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import gtvision.tracing.TraceLog;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The node's log line, in the format {@code GTV_LOG_FORMAT} names: {@code text} (the default: the
 * configured pattern, with its masking converters) or {@code json}, one object per line for Loki and
 * other collectors: {@code timestamp}, {@code level}, {@code logger}, {@code thread}, {@code message},
 * {@code traceId} and {@code spanId} when the line was logged within a span, {@code mdc} and
 * {@code exception}. Both formats mask credentials (camera URLs, tokens in query strings) in the message,
 * the MDC and the exception, as {@link MaskingMessageConverter} and {@link MaskingThrowableConverter} do.
 */
public final class LogLayout extends LayoutBase<ILoggingEvent> {
  // Immutable once built and thread-safe: generators are made per line.
  private static final JsonFactory JSON = new JsonFactory();

  private String format = "text";
  private String pattern = "%d{ISO8601} %-5level [%thread] %logger{36} - %maskedMsg%n%maskedEx";
  private PatternLayout text;
  private boolean json;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    String chosen = format == null ? "text" : format.trim().toLowerCase(Locale.ROOT);
    json = chosen.equals("json");
    if (!json) {
      if (!chosen.equals("text") && !chosen.isEmpty()) {
        addError("GTV_LOG_FORMAT is 'text' or 'json', not '" + format + "': logging text");
      }
      text = new PatternLayout();
      text.setContext(getContext());
      text.setPattern(pattern);
      text.start();
    }
    super.start();
  }

  @Override
  public void stop() {
    if (text != null) text.stop();
    super.stop();
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return json ? json(event) : text.doLayout(event);
  }

  static String json(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", SourceUrls.mask(event.getFormattedMessage()));
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null && mdc.containsKey(TraceLog.TRACE_ID)) {
        // Top level too: Loki's derived fields and Grafana's trace links look for one field.
        g.writeStringField(TraceLog.TRACE_ID, mdc.get(TraceLog.TRACE_ID));
        g.writeStringField(TraceLog.SPAN_ID, mdc.get(TraceLog.SPAN_ID));
      }
      if (mdc != null && !mdc.isEmpty()) {
        g.writeObjectFieldStart("mdc");
        for (Map.Entry<String, String> e : mdc.entrySet()) g.writeStringField(e.getKey(), SourceUrls.mask(e.getValue()));
        g.writeEndObject();
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) g.writeStringField("exception", SourceUrls.mask(ThrowableProxyUtil.asString(thrown)));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append('\n').toString();
  }
}
