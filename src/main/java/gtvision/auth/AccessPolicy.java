package gtvision.auth;

import java.util.List;
import java.util.Optional;

/**
 * The route matrix (README, "Authentication and roles") in one place, so that a route added to a
 * capability is denied by default rather than open by accident: whatever this does not name needs at
 * least {@code viewer} to read and {@code admin} to change.
 */
public final class AccessPolicy {
  private AccessPolicy() {}

  /** Who may call: anyone, any signed-in principal, or a role (and what it allows). */
  public sealed interface Access {}

  public record Open() implements Access {}

  public record Authenticated() implements Access {}

  public record Requires(Role role) implements Access {}

  /** The rate-limit bucket class of a route; NONE for probes and the media server's callbacks. */
  public enum RateClass {
    API,
    INGEST,
    ADMIN,
    LOGIN,
    FRAMES,
    NONE
  }

  public record Rule(Access access, RateClass rateClass) {}

  private static final Rule OPEN_UNLIMITED = new Rule(new Open(), RateClass.NONE);

  /**
   * @param segments the request path's decoded, non-empty segments ({@code /api/cameras/x} is
   *     {@code [api, cameras, x]})
   */
  public static Rule rule(String method, List<String> segments) {
    boolean read = method.equals("GET") || method.equals("HEAD");
    if (segments.size() == 1 && (segments.get(0).equals("health") || segments.get(0).equals("metrics"))) {
      return OPEN_UNLIMITED;
    }
    if (read && (dashboardPage(segments) || apiDocs(segments))) return OPEN_UNLIMITED;
    // How the dashboard signs in (mode, and the provider's public client in oidc mode): asked before there
    // is a token, so open; counted like any API call.
    if (read && segments.equals(List.of("api", "dashboard", "signin"))) return new Rule(new Open(), RateClass.API);
    if (segments.isEmpty() || !segments.get(0).equals("api")) return viewerOrAdmin(read);
    String area = segments.size() > 1 ? segments.get(1) : "";
    return switch (area) {
      case "auth" -> auth(method, segments);
      case "ingest" -> new Rule(new Requires(Role.INGEST), RateClass.INGEST);
      case "detect", "batch" -> new Rule(new Requires(Role.OPERATOR), RateClass.API);
      // Tracked objects and line counts (gtvision.objects): read-only, like detections.
      case "events", "counts" -> viewerOrAdmin(read);
      // Alerts are read-only; the watch list is an operator's to keep (as enabling a camera is), not only
      // an admin's: who watches for which plate changes with the day's incidents.
      case "alerts" -> viewerOrAdmin(read);
      case "watchlist" -> read ? new Rule(new Requires(Role.VIEWER), RateClass.API) : new Rule(new Requires(Role.OPERATOR), RateClass.API);
      case "cameras" -> {
        boolean toggle = segments.size() == 4 && method.equals("POST")
            && (segments.get(3).equals("enable") || segments.get(3).equals("disable"));
        if (toggle) yield new Rule(new Requires(Role.OPERATOR), RateClass.API);
        boolean latestFrame = read && segments.size() == 5 && segments.get(3).equals("frame") && segments.get(4).equals("latest");
        yield latestFrame ? new Rule(new Requires(Role.VIEWER), RateClass.FRAMES) : viewerOrAdmin(read);
      }
      default -> viewerOrAdmin(read);
    };
  }

  /**
   * The dashboard's page and static assets (gtvision.dashboard): they hold no data, and the page must load
   * before anyone signed in to show the sign-in form. What it shows comes from the API, with a token.
   */
  private static boolean dashboardPage(List<String> segments) {
    if (segments.isEmpty()) return true;
    if (segments.size() == 1 && segments.get(0).equals("index.html")) return true;
    return segments.size() > 1 && segments.get(0).equals("assets");
  }

  /**
   * The API's description and Swagger UI (gtvision.apidocs): what the API looks like is no secret, and
   * the page signs in with a token the reader pastes; every call it makes passes the gate like any other.
   */
  private static boolean apiDocs(List<String> segments) {
    if (segments.size() < 2 || !segments.get(0).equals("api")) return false;
    if (segments.size() == 2 && segments.get(1).equals("openapi.json")) return true;
    return segments.get(1).equals("docs");
  }

  private static Rule auth(String method, List<String> segments) {
    String what = segments.size() > 2 ? segments.get(2) : "";
    return switch (what) {
      case "login" -> new Rule(new Open(), RateClass.LOGIN);
      // MediaMTX asks on every reader's behalf; the body carries the reader's credentials.
      case "mediamtx" -> OPEN_UNLIMITED;
      case "me", "ticket" -> new Rule(new Authenticated(), RateClass.API);
      case "keys", "users" -> new Rule(new Requires(Role.ADMIN), RateClass.ADMIN);
      default -> viewerOrAdmin(method.equals("GET"));
    };
  }

  private static Rule viewerOrAdmin(boolean read) {
    return read ? new Rule(new Requires(Role.VIEWER), RateClass.API) : new Rule(new Requires(Role.ADMIN), RateClass.ADMIN);
  }

  /** Why {@code principal} may not pass {@code access}, if it may not. */
  public static Optional<String> refusal(Access access, Principal principal) {
    if (access instanceof Requires r && !principal.role().allows(r.role())) {
      return Optional.of("role " + principal.role().wireName() + " may not do this (needs " + r.role().wireName() + ")");
    }
    return Optional.empty();
  }
}
