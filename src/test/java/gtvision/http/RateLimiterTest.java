package gtvision.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void allowsTheRateThenAnswersWhenToRetry() {
    RateLimiter limiter = new RateLimiter(60, 100, now::get);
    for (int i = 0; i < 60; i++) assertTrue(limiter.acquire("a").allowed(), "request " + i);
    RateLimiter.Decision refused = limiter.acquire("a");
    assertFalse(refused.allowed());
    assertEquals(1, refused.retryAfterSeconds(), "60/min refills one request a second");
    // Another client has its own bucket.
    assertTrue(limiter.acquire("b").allowed());
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertTrue(limiter.acquire("a").allowed());
    assertFalse(limiter.acquire("a").allowed());
  }

  @Test
  void retryAfterGrowsWithASlowerRate() {
    RateLimiter limiter = new RateLimiter(2, 100, now::get);
    assertTrue(limiter.acquire("a").allowed());
    assertTrue(limiter.acquire("a").allowed());
    assertEquals(30, limiter.acquire("a").retryAfterSeconds());
  }

  @Test
  void memoryStaysBoundedAndIdleClientsAreForgotten() {
    RateLimiter limiter = new RateLimiter(10, 3, now::get);
    for (int i = 0; i < 3; i++) limiter.acquire("c" + i);
    // Every tracked client is active: newcomers share the overflow bucket.
    for (int i = 3; i < 100; i++) limiter.acquire("c" + i);
    assertTrue(limiter.trackedClients() <= 4, "tracked " + limiter.trackedClients());
    // A minute later all buckets are full again (idle) and make room.
    now.addAndGet(TimeUnit.SECONDS.toNanos(61));
    assertTrue(limiter.acquire("fresh").allowed());
    assertTrue(limiter.trackedClients() <= 4, "tracked " + limiter.trackedClients());
  }
}
