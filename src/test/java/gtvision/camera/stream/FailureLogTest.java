package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FailureLogTest {
  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
  private final Logger logger = (Logger) LoggerFactory.getLogger("gtvision.camera.stream.FailureLogTest");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final FailureLog failures;

  FailureLogTest() {
    lines.start();
    logger.addAppender(lines);
    failures = new FailureLog(logger, "Analyser failed on camera c1", Duration.ofMinutes(1), now::get);
  }

  private void advanceSeconds(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  private List<String> messages(Level level) {
    return lines.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void firstFailureIsLoggedAtOnceThenAtMostOncePerIntervalWithACount() {
    failures.failed("no inference provider reachable");
    assertEquals(List.of("Analyser failed on camera c1: no inference provider reachable"), messages(Level.WARN));

    // One failure per frame at 1 fps for most of a minute: nothing more.
    for (int i = 0; i < 59; i++) {
      advanceSeconds(1);
      failures.failed("no inference provider reachable");
    }
    assertEquals(1, messages(Level.WARN).size());

    advanceSeconds(1);
    failures.failed("timeout");
    assertEquals(2, messages(Level.WARN).size());
    assertEquals("Analyser failed on camera c1: timeout (60 failures since the last such line)", messages(Level.WARN).get(1));

    failures.succeeded();
    assertEquals(List.of("Analyser failed on camera c1: works again after 61 failures in a row"), messages(Level.INFO));
    failures.succeeded();
    assertEquals(1, messages(Level.INFO).size(), "a success after a success says nothing");
  }

  @Test
  void flappingStaysWithinTheRate() {
    failures.failed("down");
    failures.succeeded();
    for (int i = 0; i < 30; i++) {
      advanceSeconds(1);
      failures.failed("down");
      failures.succeeded();
    }
    assertEquals(1, messages(Level.WARN).size());
    assertEquals(1, messages(Level.INFO).size(), "only a logged streak is said to end");

    advanceSeconds(30);
    failures.failed("down");
    assertEquals(2, messages(Level.WARN).size());
    assertTrue(messages(Level.WARN).get(1).endsWith("(31 failures since the last such line)"), messages(Level.WARN).get(1));
  }
}
