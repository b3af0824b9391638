package gtvision.http;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the API and unbinds it in coordinated shutdown so in-flight requests can finish. */
public final class HttpServer {
  private HttpServer() {}

  public static void start(ActorSystem<?> system, Route route) {
    Config http = system.settings().config().getConfig("gtv.http");
    String iface = http.getString("interface");
    int port = http.getInt("port");
    Http.get(system)
        .newServerAt(iface, port)
        .bind(route)
        .whenComplete((binding, error) -> {
          if (error != null) {
            system.log().error("Cannot bind HTTP on {}:{}, stopping: {}", iface, port, error.getMessage());
            system.terminate();
          } else {
            binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
            system.log().info("GT-Vision API on http://{}:{}/", binding.localAddress().getHostString(),
                binding.localAddress().getPort());
          }
        });
  }
}
