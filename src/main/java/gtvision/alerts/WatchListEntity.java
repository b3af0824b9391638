package gtvision.alerts;

import gtvision.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The cluster's watch list: one event-sourced entity (sharded, a single id, so it lives on one node at a
 * time and any node reaches it), written through {@code /api/watchlist}. Its events are what every node's
 * {@link WatchListView} folds into the list its cameras check plates against; they are never deleted
 * (snapshots only shorten this entity's recovery), so a view can always start from the first.
 */
public final class WatchListEntity
    extends EventSourcedBehaviorWithEnforcedReplies<WatchListEntity.Command, WatchListEntity.Event, WatchListEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "WatchList");
  /** The one entity of the type. */
  public static final String ENTITY_ID = "watchlist";
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.of(TYPE_KEY.name(), ENTITY_ID);

  // ---- commands ----

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  /** What a client asks an entry to be; the route checked the shape, the entity the rest. */
  public record Spec(String pattern, String label, Boolean enabled) implements CborSerializable {}

  public record Add(Spec spec, ActorRef<Reply> replyTo) implements Command {}

  /** Replace an entry's pattern and label; {@code enabled} null keeps its current value. */
  public record Replace(String id, Spec spec, ActorRef<Reply> replyTo) implements Command {}

  public record Delete(String id, ActorRef<Reply> replyTo) implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  // ---- replies ----

  public sealed interface Reply extends CborSerializable {}

  /** The list after the command; {@code entry} the one added or changed (null for delete and get). */
  public record Accepted(State state, WatchEntry entry) implements Reply {}

  public enum RejectionKind {
    INVALID,
    NOT_FOUND
  }

  public record Rejected(RejectionKind kind, String field, String message) implements Reply {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record EntryAdded(WatchEntry entry, Instant at) implements Event {}

  public record EntryChanged(WatchEntry entry, Instant at) implements Event {}

  public record EntryRemoved(String id, Instant at) implements Event {}

  // ---- state ----

  /**
   * The entries in the order they were added (which is the order their ids count up, and the order
   * alerts check them in); {@code revision} counts the events applied, so it is the sequence number of
   * the latest, which is how a view knows which of two states is newer.
   */
  public record State(List<WatchEntry> entries, long nextId, long revision) implements CborSerializable {
    public static final State EMPTY = new State(List.of(), 1, 0);

    public State {
      entries = List.copyOf(entries);
    }

    public Optional<WatchEntry> find(String id) {
      return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** The state after {@code event}: the entity's event handler and every view apply this. */
    public State apply(Event event) {
      List<WatchEntry> next = new ArrayList<>(entries);
      long nextIdAfter = nextId;
      if (event instanceof EntryAdded a) {
        next.add(a.entry());
        nextIdAfter = Math.max(nextId, Long.parseLong(a.entry().id()) + 1);
      } else if (event instanceof EntryChanged c) {
        next.replaceAll(e -> e.id().equals(c.entry().id()) ? c.entry() : e);
      } else if (event instanceof EntryRemoved r) {
        next.removeIf(e -> e.id().equals(r.id()));
      }
      return new State(next, nextIdAfter, revision + 1);
    }
  }

  // ---- wiring ----

  /** Registers the sharded entity type on this node. */
  public static void init(ActorSystem<?> system, Clock clock, int maxEntries, int snapshotEvery) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(clock, maxEntries, snapshotEvery)));
  }

  /** The entity outside sharding (tests). */
  public static Behavior<Command> create(Clock clock, int maxEntries, int snapshotEvery) {
    return new WatchListEntity(clock, maxEntries, snapshotEvery);
  }

  private final Clock clock;
  private final int maxEntries;
  private final int snapshotEvery;

  private WatchListEntity(Clock clock, int maxEntries, int snapshotEvery) {
    super(PERSISTENCE_ID, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.1));
    this.clock = clock;
    this.maxEntries = maxEntries;
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots shorten recovery; the events stay, every node's view reads them.
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Add.class, this::onAdd)
        .onCommand(Replace.class, this::onReplace)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Accepted(state, null)))
        .build();
  }

  private ReplyEffect<Event, State> onAdd(State state, Add cmd) {
    Optional<Rejected> bad = WatchListValidator.check(cmd.spec());
    if (bad.isPresent()) return Effect().reply(cmd.replyTo(), bad.get());
    if (state.entries().size() >= maxEntries) {
      return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.INVALID, "pattern",
          "the watch list is full (" + maxEntries + " entries, gtv.watchlist.max-entries)"));
    }
    Instant now = clock.instant();
    WatchEntry entry = new WatchEntry(Long.toString(state.nextId()), WatchPattern.normalise(cmd.spec().pattern()).pattern().get(),
        cmd.spec().label().strip(), cmd.spec().enabled() == null || cmd.spec().enabled(), now, now);
    return Effect().persist(new EntryAdded(entry, now)).thenReply(cmd.replyTo(), s -> new Accepted(s, entry));
  }

  private ReplyEffect<Event, State> onReplace(State state, Replace cmd) {
    Optional<WatchEntry> current = state.find(cmd.id());
    if (current.isEmpty()) return Effect().reply(cmd.replyTo(), notFound(cmd.id()));
    Optional<Rejected> bad = WatchListValidator.check(cmd.spec());
    if (bad.isPresent()) return Effect().reply(cmd.replyTo(), bad.get());
    WatchEntry old = current.get();
    Instant now = clock.instant();
    WatchEntry entry = new WatchEntry(old.id(), WatchPattern.normalise(cmd.spec().pattern()).pattern().get(),
        cmd.spec().label().strip(), cmd.spec().enabled() == null ? old.enabled() : cmd.spec().enabled(), old.createdAt(), now);
    if (entry.pattern().equals(old.pattern()) && entry.label().equals(old.label()) && entry.enabled() == old.enabled()) {
      return Effect().reply(cmd.replyTo(), new Accepted(state, old));
    }
    return Effect().persist(new EntryChanged(entry, now)).thenReply(cmd.replyTo(), s -> new Accepted(s, entry));
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete cmd) {
    if (state.find(cmd.id()).isEmpty()) return Effect().reply(cmd.replyTo(), notFound(cmd.id()));
    return Effect().persist(new EntryRemoved(cmd.id(), clock.instant())).thenReply(cmd.replyTo(), s -> new Accepted(s, null));
  }

  private static Rejected notFound(String id) {
    return new Rejected(RejectionKind.NOT_FOUND, "id", "watch-list entry " + id + " not found");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }
}
