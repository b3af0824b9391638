package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  @Test
  void collectsUpToMaxBatchAndKeepsOrder() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 8, Duration.ofMillis(200), batch -> {
      Thread.sleep(5);
      return batch.stream().map(i -> i * 10).toList();
    }, sizes::add)) {
      List<CompletableFuture<MicroBatcher.Batched<Integer>>> fs = IntStream.range(0, 20).mapToObj(b::submit).toList();
      for (int i = 0; i < 20; i++) assertEquals(i * 10, fs.get(i).join().value());
      assertEquals(20, sizes.stream().mapToInt(Integer::intValue).sum());
      assertTrue(sizes.stream().allMatch(s -> s <= 8), sizes.toString());
      assertEquals(8, sizes.get(0), "a queue that already holds a full batch is not waited on: " + sizes);
    }
  }

  @Test
  void loneItemWaitsAtMostMaxWait() {
    try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 8, Duration.ofMillis(100), batch -> batch, s -> {})) {
      long t0 = System.nanoTime();
      var r = b.submit(1).join();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 90 && ms < 1000, ms + " ms");
      assertEquals(1, r.batchSize());
      assertTrue(r.queueNanos() >= 90_000_000L);
    }
  }

  @Test
  void failedBatchFailsItsItemsAndTheThreadLivesOn() {
    try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ZERO, batch -> {
      if (batch.contains(13)) throw new IllegalStateException("bad batch");
      return batch;
    }, s -> {})) {
      CompletionException e = assertThrows(CompletionException.class, () -> b.submit(13).join());
      assertEquals("bad batch", e.getCause().getMessage());
      assertEquals(7, b.submit(7).join().value());
    }
  }

  @Test
  void itemStillQueuedAtItsDeadlineFailsExpiredAndIsNeverRun() {
    List<Integer> ran = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> release = new CompletableFuture<>();
    try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 1, Duration.ZERO, batch -> {
      release.join(); // the first batch holds the thread while the others wait in the queue
      ran.addAll(batch);
      return batch;
    }, s -> {})) {
      var first = b.submit(1);
      Instant soon = Instant.now().plusMillis(50);
      var expiring = b.submit(2, soon, System.nanoTime() + 50_000_000L);
      var later = b.submit(3, Instant.now().plusSeconds(60), System.nanoTime() + 60_000_000_000L);
      long t0 = System.nanoTime();
      while (System.nanoTime() - t0 < 100_000_000L) Thread.onSpinWait(); // past the deadline, by the clock
      release.complete(null);
      assertEquals(1, first.join().value());
      CompletionException e = assertThrows(CompletionException.class, expiring::join);
      assertInstanceOf(FrameExpiredException.class, e.getCause());
      assertEquals(3, later.join().value());
      assertEquals(List.of(1, 3), ran);
    }
  }
}
