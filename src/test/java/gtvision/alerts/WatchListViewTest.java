package gtvision.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.camera.PlateWatch;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch-list entity over the real journal and a node's view that follows its events from there (as
 * the views of the other nodes do): changes arrive without anyone offering them, matching is by pattern.
 */
class WatchListViewTest {
  @TempDir static Path dir;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    testKit = ReadSides.start(TestDatabases.preferPostgres("watchlist_view", dir));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static WatchListEntity.Reply ask(ActorRef<WatchListEntity.Command> list,
      java.util.function.Function<ActorRef<WatchListEntity.Reply>, WatchListEntity.Command> command) {
    TestProbe<WatchListEntity.Reply> probe = testKit.createTestProbe();
    list.tell(command.apply(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  @Test
  void aViewFollowsTheListFromTheJournalAndMatchesByPattern() {
    ActorRef<WatchListEntity.Command> list =
        testKit.spawn(WatchListEntity.create(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), 3, 2));
    var exact = (WatchListEntity.Accepted) ask(list, r -> new WatchListEntity.Add(new WatchListEntity.Spec("ab-12 cd", "stolen", null), r));
    var wildcard = (WatchListEntity.Accepted) ask(list, r -> new WatchListEntity.Add(new WatchListEntity.Spec("?B*", "fleet", true), r));
    ask(list, r -> new WatchListEntity.Add(new WatchListEntity.Spec("XY*", "off", false), r));
    var full = ask(list, r -> new WatchListEntity.Add(new WatchListEntity.Spec("ZZ1", "one too many", null), r));
    assertEquals("pattern", assertInstanceOf(WatchListEntity.Rejected.class, full).field(), "max-entries is 3 here");

    WatchListView view = new WatchListView();
    view.follow(testKit.system());
    String exactId = exact.entry().id();
    String wildcardId = wildcard.entry().id();
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      assertEquals(3, view.state().entries().size());
      return null;
    });
    assertEquals(List.of(new PlateWatch.Hit(exactId, "AB12CD", "stolen"), new PlateWatch.Hit(wildcardId, "?B*", "fleet")),
        view.hits("AB12CD"), "in list order");
    assertEquals(List.of(wildcardId), view.hits("OB7").stream().map(PlateWatch.Hit::entryId).toList());
    assertTrue(view.hits("XY99").isEmpty(), "a disabled entry matches nothing");
    assertTrue(view.hits("B").isEmpty(), "? is exactly one character");

    ask(list, r -> new WatchListEntity.Replace(exactId, new WatchListEntity.Spec("AB12CE", "stolen", null), r));
    ask(list, r -> new WatchListEntity.Delete(wildcardId, r));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      assertTrue(view.hits("AB12CD").isEmpty(), "the old pattern and the deleted entry no longer match");
      assertEquals(List.of(exactId), view.hits("AB12CE").stream().map(PlateWatch.Hit::entryId).toList());
      return null;
    });

    // The entity recovers its list (from a snapshot and events: snapshot-every is 2 here).
    testKit.stop(list);
    ActorRef<WatchListEntity.Command> again =
        testKit.spawn(WatchListEntity.create(Clock.systemUTC(), 3, 2));
    var state = ((WatchListEntity.Accepted) ask(again, WatchListEntity.Get::new)).state();
    assertEquals(view.state(), state);
    var missing = ask(again, r -> new WatchListEntity.Delete(wildcardId, r));
    assertEquals(WatchListEntity.RejectionKind.NOT_FOUND, assertInstanceOf(WatchListEntity.Rejected.class, missing).kind());
  }

  @Test
  void wildcardsMatchRunsAndSingleCharacters() {
    assertTrue(WatchPattern.matches("AB*", "AB"));
    assertTrue(WatchPattern.matches("AB*", "AB12CD"));
    assertTrue(WatchPattern.matches("*CD", "AB12CD"));
    assertTrue(WatchPattern.matches("A*2*D", "AB12CD"));
    assertTrue(WatchPattern.matches("AB?2CD", "AB12CD"));
    assertTrue(!WatchPattern.matches("AB?2CD", "AB2CD"));
    assertTrue(!WatchPattern.matches("AB12CD", "AB12CDE"));
    assertTrue(!WatchPattern.matches("*X*", "AB12CD"));
    assertEquals("AB*?", WatchPattern.normalise("ab-** ?").pattern().orElseThrow(), "upper case, ** is *");
  }
}
