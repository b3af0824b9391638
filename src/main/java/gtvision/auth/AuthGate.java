package gtvision.auth;

import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.RateLimiter;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * In front of every route: finds the client (trusted proxies), authenticates the bearer credential,
 * applies the rate limit of the route's class to the principal (or to the address when nobody signed
 * in), checks the role against {@link AccessPolicy}, and hands the caller to the routes as a request
 * attribute ({@link #CALLER}) for the checks only they can make (an ingest key's cameras).
 */
public final class AuthGate extends AllDirectives {
  /** Who is calling; {@code principal} is empty on open routes called without a valid credential. */
  public record Caller(Optional<Principal> principal, String address) {
    /** The bucket for limits: the principal when there is one, else the address. */
    public String bucket() {
      return principal.filter(p -> p != Principal.UNAUTHENTICATED_ADMIN).map(p -> "principal:" + p.name())
          .orElse("address:" + address);
    }
  }

  public static final AttributeKey<Caller> CALLER = AttributeKey.create("gtv-caller", Caller.class);
  private static final String REALM = "Bearer realm=\"gtvision\"";

  private final Authentication authentication;
  private final TrustedProxies proxies;
  private final boolean limited;
  private final Map<AccessPolicy.RateClass, RateLimiter> limiters = new EnumMap<>(AccessPolicy.RateClass.class);
  private final Map<AccessPolicy.RateClass, Integer> perMinute = new EnumMap<>(AccessPolicy.RateClass.class);

  public AuthGate(Authentication authentication) {
    this.authentication = authentication;
    AuthSettings settings = authentication.settings();
    this.proxies = new TrustedProxies(settings.trustedProxies());
    AuthSettings.RateLimits l = settings.rateLimits();
    this.limited = l.enabled();
    perMinute.put(AccessPolicy.RateClass.API, l.api());
    perMinute.put(AccessPolicy.RateClass.INGEST, l.ingest());
    perMinute.put(AccessPolicy.RateClass.ADMIN, l.admin());
    perMinute.put(AccessPolicy.RateClass.LOGIN, l.login());
    perMinute.put(AccessPolicy.RateClass.FRAMES, l.frames());
    perMinute.forEach((c, n) -> limiters.put(c, new RateLimiter(n, l.maxClients(), System::nanoTime)));
  }

  public Route protect(Route inner) {
    return extractRequest(request -> {
      String address = proxies.client(peer(request), request.getHeader("X-Forwarded-For").map(h -> h.value()));
      Optional<List<String>> segments = segments(request);
      if (segments.isEmpty()) return complete(ApiErrors.badRequest(null, "the path has dot segments"));
      AccessPolicy.Rule rule = AccessPolicy.rule(request.method().name(), segments.get());
      return onSuccess(caller(request, rule, segments.get(), address), outcome -> {
        if (outcome instanceof Refused refused) return complete(refused.response());
        Caller caller = ((Admitted) outcome).caller();
        Optional<HttpResponse> limit = limit(rule.rateClass(), caller);
        if (limit.isPresent()) return complete(limit.get());
        if (caller.principal().isPresent()) {
          Optional<String> refusal = AccessPolicy.refusal(rule.access(), caller.principal().get());
          if (refusal.isPresent()) return complete(ApiErrors.response(StatusCodes.FORBIDDEN, ApiError.of(refusal.get())));
        }
        return mapRequest(r -> r.addAttribute(CALLER, caller), () -> inner);
      });
    });
  }

  private sealed interface Outcome {}

  private record Admitted(Caller caller) implements Outcome {}

  private record Refused(HttpResponse response) implements Outcome {}

  private CompletionStage<Outcome> caller(HttpRequest request, AccessPolicy.Rule rule, List<String> segments, String address) {
    boolean open = rule.access() instanceof AccessPolicy.Open;
    if (authentication.mode() == AuthSettings.Mode.OFF) {
      return CompletableFuture.completedFuture(new Admitted(new Caller(Optional.of(Principal.UNAUTHENTICATED_ADMIN), address)));
    }
    Optional<String> bearer = request.getHeader("Authorization").map(h -> h.value().strip())
        .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7)).map(v -> v.substring(7).strip());
    Optional<String> ticket = isLiveFeed(segments) ? request.getUri().query().get("ticket") : Optional.empty();
    CompletionStage<Principal> principal;
    if (bearer.isPresent()) principal = authentication.authenticate(bearer.get());
    else if (ticket.isPresent()) principal = authentication.redeemTicket(ticket.get());
    else if (open) return CompletableFuture.completedFuture(new Admitted(new Caller(Optional.empty(), address)));
    else return CompletableFuture.completedFuture(new Refused(unauthorized("authentication required", false)));
    return principal.<Outcome>thenApply(p -> new Admitted(new Caller(Optional.of(p), address))).exceptionally(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      // An open route (health, login) works without credentials, and so with bad ones.
      if (open) return new Admitted(new Caller(Optional.empty(), address));
      if (cause instanceof AuthFailure f && f.status() == 401) return new Refused(unauthorized(f.getMessage(), true));
      if (cause instanceof AuthFailure f && f.status() == 403) {
        return new Refused(ApiErrors.response(StatusCodes.FORBIDDEN, ApiError.of(f.getMessage())));
      }
      String reason = cause instanceof AuthFailure f ? f.getMessage() : "authentication is unavailable, retry";
      return new Refused(ApiErrors.response(StatusCodes.SERVICE_UNAVAILABLE, ApiError.of(reason)).addHeader(RetryAfter.create(5L)));
    });
  }

  private Optional<HttpResponse> limit(AccessPolicy.RateClass rateClass, Caller caller) {
    if (!limited || rateClass == AccessPolicy.RateClass.NONE) return Optional.empty();
    // Login attempts count per address whoever claims to be signed in: it is the guessing that is limited.
    String bucket = rateClass == AccessPolicy.RateClass.LOGIN ? "address:" + caller.address() : caller.bucket();
    RateLimiter.Decision decision = limiters.get(rateClass).acquire(bucket);
    if (decision.allowed()) return Optional.empty();
    return Optional.of(ApiErrors.response(StatusCodes.TOO_MANY_REQUESTS, ApiError.of("more than " + perMinute.get(rateClass)
            + " " + rateClass.name().toLowerCase() + " requests per minute"))
        .addHeader(RetryAfter.create(decision.retryAfterSeconds())));
  }

  private static HttpResponse unauthorized(String reason, boolean invalidToken) {
    String challenge = invalidToken
        ? REALM + ", error=\"invalid_token\", error_description=\"" + reason.replace("\"", "'") + "\""
        : REALM;
    return ApiErrors.response(StatusCodes.UNAUTHORIZED, ApiError.of(reason)).addHeader(RawHeader.create("WWW-Authenticate", challenge));
  }

  private static boolean isLiveFeed(List<String> segments) {
    return segments.size() == 2 && segments.get(0).equals("api") && segments.get(1).equals("live");
  }

  private static Optional<InetAddress> peer(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
  }

  /** The decoded non-empty segments; empty when the path has "." or ".." segments (refused). */
  static Optional<List<String>> segments(HttpRequest request) {
    List<String> segments = StreamSupport.stream(request.getUri().pathSegments().spliterator(), false)
        .filter(s -> !s.isEmpty()).toList();
    if (segments.stream().anyMatch(s -> s.equals(".") || s.equals(".."))) return Optional.empty();
    return Optional.of(segments);
  }
}
