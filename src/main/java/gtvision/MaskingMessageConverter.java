package gtvision;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback converter that masks URL passwords in every log line, whoever wrote the message. */
public final class MaskingMessageConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return SourceUrls.mask(super.convert(event));
  }
}
