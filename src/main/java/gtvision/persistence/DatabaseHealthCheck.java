package gtvision.persistence;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/** Pekko Management readiness check: a node whose database does not answer takes no traffic. */
public final class DatabaseHealthCheck implements Supplier<CompletionStage<Boolean>> {
  private final Database database;

  public DatabaseHealthCheck(ActorSystem system) {
    this.database = Database.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return database.ping(Duration.ofSeconds(2));
  }
}
