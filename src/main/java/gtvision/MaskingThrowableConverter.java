package gtvision;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback converter for a log line's exception: messages of exceptions (a client's "connection refused
 * for rtsp://user:pw@...") carry camera credentials as often as log messages do, so they are masked too.
 */
public final class MaskingThrowableConverter extends ThrowableProxyConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return SourceUrls.mask(super.convert(event));
  }
}
