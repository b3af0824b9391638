package gtvision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class MaskingMessageConverterTest {
  @Test
  void logLinesNeverCarryCameraPasswords() {
    LoggerContext context = new LoggerContext();
    LoggingEvent event = new LoggingEvent("test", context.getLogger("test"), Level.WARN,
        "stream lost for {}: connection refused", null, new Object[] {"rtsp://admin:hunter2@10.0.0.7:554/s1"});
    MaskingMessageConverter converter = new MaskingMessageConverter();
    converter.start();
    assertEquals("stream lost for rtsp://admin:***@10.0.0.7:554/s1: connection refused", converter.convert(event));
  }
}
