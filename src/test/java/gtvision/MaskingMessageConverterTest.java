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

  @Test
  void exceptionTextInLogLinesNeverCarriesCredentials() {
    LoggerContext context = new LoggerContext();
    var error = new IllegalStateException("cannot open rtsp://admin:hunter2@10.0.0.7/s1",
        new java.io.IOException("GET http://cam/snap.jpg?token=s3cr3t refused for rtsp://tok123@10.0.0.8/"));
    LoggingEvent event = new LoggingEvent("test", context.getLogger("test"), Level.ERROR, "stream failed", error, null);
    MaskingThrowableConverter converter = new MaskingThrowableConverter();
    converter.setContext(context);
    converter.start();
    String text = converter.convert(event);
    org.junit.jupiter.api.Assertions.assertTrue(text.contains("rtsp://admin:***@10.0.0.7/s1"), text);
    org.junit.jupiter.api.Assertions.assertTrue(text.contains("?token=***"), text);
    org.junit.jupiter.api.Assertions.assertTrue(text.contains("rtsp://***@10.0.0.8/"), text);
    for (String secret : new String[] {"hunter2", "s3cr3t", "tok123"}) {
      org.junit.jupiter.api.Assertions.assertFalse(text.contains(secret), text);
    }
  }
}
