package gtvision.auth;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code gtv.auth} and the request limits of {@code gtv.http} (auth.conf). */
public record AuthSettings(
    Mode mode, String adminUsername, String adminPassword, Duration tokenTtl, Duration ticketTtl, String tokenSecret,
    int passwordIterations, int minPasswordLength, Duration keyCacheTtl, RateLimits rateLimits,
    List<String> trustedProxies, WebSocketLimits webSocket) {

  public enum Mode {
    BUILTIN,
    OIDC,
    OFF;

    static Mode parse(String value) {
      return Arrays.stream(values()).filter(m -> m.name().equalsIgnoreCase(value.strip())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              "gtv.auth.mode (GTV_AUTH_MODE) must be builtin, oidc or off, not '" + value + "'"));
    }

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Requests per minute per principal, by class of route. */
  public record RateLimits(boolean enabled, int api, int ingest, int admin, int login, int frames, int maxClients) {}

  public record WebSocketLimits(List<String> allowedOrigins, int maxPerClient, int maxConnections) {}

  public AuthSettings {
    trustedProxies = List.copyOf(trustedProxies);
  }

  public static AuthSettings from(Config root) {
    Config a = root.getConfig("gtv.auth");
    Config limits = root.getConfig("gtv.http.rate-limits");
    Config ws = root.getConfig("gtv.http.websocket");
    return new AuthSettings(
        Mode.parse(a.getString("mode")),
        a.getString("admin-username"),
        a.getString("admin-password"),
        a.getDuration("token-ttl"),
        a.getDuration("ticket-ttl"),
        a.getString("token-secret"),
        positive(a.getInt("password-iterations"), "gtv.auth.password-iterations"),
        positive(a.getInt("min-password-length"), "gtv.auth.min-password-length"),
        a.getDuration("key-cache-ttl"),
        new RateLimits(limits.getBoolean("enabled"),
            positive(limits.getInt("api"), "gtv.http.rate-limits.api"),
            positive(limits.getInt("ingest"), "gtv.http.rate-limits.ingest"),
            positive(limits.getInt("admin"), "gtv.http.rate-limits.admin"),
            positive(limits.getInt("login"), "gtv.http.rate-limits.login"),
            positive(limits.getInt("frames"), "gtv.http.rate-limits.frames"),
            positive(limits.getInt("max-clients"), "gtv.http.rate-limits.max-clients")),
        list(root.getString("gtv.http.trusted-proxies")),
        new WebSocketLimits(list(ws.getString("allowed-origins")),
            positive(ws.getInt("max-per-client"), "gtv.http.websocket.max-per-client"),
            positive(ws.getInt("max-connections"), "gtv.http.websocket.max-connections")));
  }

  static List<String> list(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static int positive(int value, String name) {
    if (value <= 0) throw new IllegalArgumentException(name + " must be positive, not " + value);
    return value;
  }
}
