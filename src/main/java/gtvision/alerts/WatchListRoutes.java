package gtvision.alerts;

import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/watchlist}: list, add, read, replace and delete watch-list entries. Reads answer from this
 * node's view (the list its cameras use); writes go to the watch-list entity, and its answer updates this
 * node's view at once, so a write is in force on this node's cameras when it is answered (on other nodes
 * within the read journal's refresh interval).
 */
final class WatchListRoutes extends AllDirectives {
  private final EntityRef<WatchListEntity.Command> entity;
  private final WatchListView view;
  private final Json json;
  private final Duration timeout;
  private final long maxJsonBytes;

  WatchListRoutes(ActorSystem<?> system, WatchListView view) {
    this.entity = ClusterSharding.get(system).entityRefFor(WatchListEntity.TYPE_KEY, WatchListEntity.ENTITY_ID);
    this.view = view;
    this.json = Json.get(system);
    this.timeout = system.settings().config().getDuration("gtv.watchlist.ask-timeout");
    this.maxJsonBytes = system.settings().config().getBytes("gtv.http.max-json-body");
  }

  Route route() {
    return pathPrefix("api", () -> pathPrefix("watchlist", () -> withSizeLimit(maxJsonBytes, () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(StatusCodes.OK, new AlertJson.EntryList(view.state().entries()), json.marshaller())),
            post(() -> entity(json.unmarshaller(AlertJson.EntryRequest.class), body ->
                write(replyTo -> new WatchListEntity.Add(body.toSpec(), replyTo), StatusCodes.CREATED))))),
        path(PathMatchers.segment(), id -> concat(
            get(() -> {
              var found = view.state().find(id);
              return found.isPresent() ? complete(StatusCodes.OK, found.get(), json.marshaller()) : complete(notFound(id));
            }),
            put(() -> entity(json.unmarshaller(AlertJson.EntryRequest.class), body ->
                write(replyTo -> new WatchListEntity.Replace(id, body.toSpec(), replyTo), StatusCodes.OK))),
            delete(() -> write(replyTo -> new WatchListEntity.Delete(id, replyTo), StatusCodes.NO_CONTENT))))))));
  }

  private Route write(Function<ActorRef<WatchListEntity.Reply>, WatchListEntity.Command> command, StatusCode success) {
    CompletionStage<WatchListEntity.Reply> reply = entity.ask(command::apply, timeout);
    return onSuccess(reply, r -> {
      if (r instanceof WatchListEntity.Accepted accepted) {
        view.offer(accepted.state());
        if (accepted.entry() == null) return complete(success);
        return complete(success, accepted.entry(), json.marshaller());
      }
      WatchListEntity.Rejected rejected = (WatchListEntity.Rejected) r;
      StatusCode status = rejected.kind() == WatchListEntity.RejectionKind.NOT_FOUND ? StatusCodes.NOT_FOUND : StatusCodes.BAD_REQUEST;
      return complete(ApiErrors.response(status, new ApiError(rejected.message(), rejected.field())));
    });
  }

  private static HttpResponse notFound(String id) {
    return ApiErrors.response(StatusCodes.NOT_FOUND, new ApiError("watch-list entry " + id + " not found", "id"));
  }
}
