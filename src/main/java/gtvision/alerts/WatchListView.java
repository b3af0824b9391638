package gtvision.alerts;

import gtvision.camera.PlateWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * This node's copy of the watch list, what its cameras check plates against ({@link PlateWatch}): folded
 * from the watch-list entity's events, read from the journal by a live query on every node, so a change
 * reaches every node's cameras within the read journal's refresh interval wherever the entity lives; the
 * node that made the change takes the entity's answer at once ({@link #offer}). Cameras read it from their
 * command handler: an immutable snapshot behind one atomic reference, never a wait.
 */
public final class WatchListView implements PlateWatch {
  private final AtomicReference<Compiled> current = new AtomicReference<>(Compiled.of(WatchListEntity.State.EMPTY));

  /** The list as of the newest state seen. */
  public WatchListEntity.State state() {
    return current.get().state();
  }

  /** Takes {@code state} if it is newer than what the view has (the entity's answer to a write). */
  public void offer(WatchListEntity.State state) {
    current.updateAndGet(c -> state.revision() > c.state().revision() ? Compiled.of(state) : c);
  }

  /** Applies the entity's event number {@code sequenceNr}, if the view has not gone past it already. */
  void apply(long sequenceNr, WatchListEntity.Event event) {
    current.updateAndGet(c -> sequenceNr == c.state().revision() + 1 ? Compiled.of(c.state().apply(event)) : c);
  }

  @Override
  public List<Hit> hits(String plate) {
    return current.get().hits(plate);
  }

  /**
   * Follows the entity's events from the journal for as long as the node runs, starting after what the view
   * has; a failed query (the database away) starts again with a backoff from where it stopped.
   */
  public void follow(ActorSystem<?> system) {
    JdbcReadJournal journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    // At a node's start the read journal's sequence actor may not answer within its ask timeout while it
    // scans the journal: the query fails and starts again. Only a failure that keeps coming is a warning.
    RestartSettings backoff = RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)
        .withLogSettings(RestartSettings.createLogSettings(Logging.DebugLevel()).withCriticalLogLevel(Logging.WarningLevel(), 5));
    RestartSource.withBackoff(backoff, () -> journal.eventsByPersistenceId(
            WatchListEntity.PERSISTENCE_ID.id(), state().revision() + 1, Long.MAX_VALUE))
        .runWith(Sink.foreach(envelope -> {
          if (envelope.event() instanceof WatchListEntity.Event e) apply(envelope.sequenceNr(), e);
        }), system);
  }

  /** A state with its enabled entries indexed: exact plates by text, wildcard patterns in list order. */
  private record Compiled(WatchListEntity.State state, Map<String, List<WatchEntry>> exact, List<WatchEntry> wildcards,
      Map<String, Integer> order, Map<String, List<Hit>> memo) {
    /**
     * An object's plate is checked on each of its sightings, by the same text: the wildcard scan's answer is
     * kept per plate for this list (a new list starts empty), up to this many plates.
     */
    static final int MEMO = 10_000;

    static Compiled of(WatchListEntity.State state) {
      Map<String, List<WatchEntry>> exact = new HashMap<>();
      List<WatchEntry> wildcards = new ArrayList<>();
      Map<String, Integer> order = new HashMap<>();
      for (WatchEntry e : state.entries()) {
        order.put(e.id(), order.size());
        if (!e.enabled()) continue;
        if (WatchPattern.isExact(e.pattern())) exact.computeIfAbsent(e.pattern(), k -> new ArrayList<>()).add(e);
        else wildcards.add(e);
      }
      return new Compiled(state, exact, wildcards, order, new ConcurrentHashMap<>());
    }

    List<Hit> hits(String plate) {
      if (plate == null) return List.of();
      List<Hit> known = memo.get(plate);
      if (known != null) return known;
      List<Hit> found = scan(plate);
      if (memo.size() >= MEMO) memo.clear();
      memo.put(plate, found);
      return found;
    }

    private List<Hit> scan(String plate) {
      List<WatchEntry> found = new ArrayList<>(exact.getOrDefault(plate, List.of()));
      for (WatchEntry e : wildcards) if (WatchPattern.matches(e.pattern(), plate)) found.add(e);
      if (found.isEmpty()) return List.of();
      found.sort((a, b) -> Integer.compare(order.get(a.id()), order.get(b.id())));
      return found.stream().map(e -> new Hit(e.id(), e.pattern(), e.label())).toList();
    }
  }
}
