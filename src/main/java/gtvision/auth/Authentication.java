package gtvision.auth;

import gtvision.persistence.Database;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling, in the mode the node runs in: built-in users and keys, an OpenID Connect provider's
 * tokens (plus keys), or nobody checked at all. One per node; blocking work (database, password hashes)
 * runs on the executor it is given, never on the caller's thread.
 */
public final class Authentication {
  private static final Logger log = LoggerFactory.getLogger(Authentication.class);
  private static final String TOKEN_SECRET = "token-signing";

  /** Verifies a provider's bearer token (oidc mode). */
  @FunctionalInterface
  public interface TokenVerifier {
    CompletionStage<Principal> verify(String token);

    /** The provider's state as the node last saw it; empty when there is none to report. */
    default Optional<Provider> provider() {
      return Optional.empty();
    }
  }

  /**
   * An identity provider as {@code /health} shows it: {@code state} UNKNOWN (not asked yet), UP or DOWN;
   * {@code reason} says what the last fetch did (URLs and errors: for signed-in callers only).
   */
  public record Provider(String issuer, String state, String reason, Instant since) {}

  private final AuthSettings settings;
  private final AuthStore store;
  private final Passwords passwords;
  private final ApiKeys apiKeys = new ApiKeys();
  private final Executor blocking;
  private final Clock clock;
  private final Optional<TokenVerifier> providerTokens;
  private final AtomicReference<CompletableFuture<Tokens>> tokens = new AtomicReference<>();
  private final Map<String, CachedKey> keyCache = new ConcurrentHashMap<>();
  private final Map<String, Instant> usedTickets = new ConcurrentHashMap<>();
  // Compared against when a user does not exist, so that an unknown name costs as long as a wrong password.
  private final String decoyHash;

  private record CachedKey(Optional<AuthStore.ApiKey> key, long expiresAtNanos) {}

  public Authentication(AuthSettings settings, Database database, Executor blocking, Clock clock,
      Optional<TokenVerifier> providerTokens) {
    if (settings.mode() == AuthSettings.Mode.OIDC && providerTokens.isEmpty()) {
      throw new IllegalArgumentException("gtv.auth.mode = oidc needs an OpenID Connect verifier");
    }
    this.settings = settings;
    this.store = new AuthStore(database);
    this.passwords = new Passwords(settings.passwordIterations());
    this.blocking = blocking;
    this.clock = clock;
    this.providerTokens = providerTokens;
    this.decoyHash = passwords.hash("decoy".toCharArray());
  }

  public AuthSettings settings() {
    return settings;
  }

  public AuthSettings.Mode mode() {
    return settings.mode();
  }

  /**
   * What {@code /health} shows of authentication. Signed in: the mode and, in oidc mode, the provider's
   * state, issuer and reason. Without a credential (load balancers, anyone): only the provider's state,
   * and nothing at all where there is no provider, so that no URL or error text leaks.
   */
  public Optional<Map<String, Object>> health(boolean detailed) {
    Optional<Provider> provider = providerTokens.flatMap(TokenVerifier::provider);
    if (!detailed && provider.isEmpty()) return Optional.empty();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("mode", settings.mode().wireName());
    provider.ifPresent(p -> {
      view.put("provider", p.state());
      if (detailed) {
        view.put("issuer", p.issuer());
        view.put("reason", p.reason());
        view.put("since", p.since().toString());
      }
    });
    return Optional.of(view);
  }

  /**
   * Makes sure the token secret and, in built-in mode, a first admin exist. The node serves requests
   * meanwhile; until it is done logins answer 503.
   */
  public CompletionStage<Void> bootstrap() {
    if (settings.mode() == AuthSettings.Mode.OFF) {
      log.warn("AUTHENTICATION IS OFF (gtv.auth.mode = off): anyone who reaches this node may do anything");
      return CompletableFuture.completedFuture(null);
    }
    CompletionStage<Tokens> ready = tokens();
    if (settings.mode() != AuthSettings.Mode.BUILTIN) return ready.thenApply(t -> null);
    return ready.thenCompose(t -> store.anyUser()).thenCompose(any -> {
      if (any) return CompletableFuture.completedFuture(null);
      boolean generated = settings.adminPassword().isEmpty();
      String password = generated ? passwords.generate(20) : settings.adminPassword();
      return CompletableFuture.supplyAsync(() -> passwords.hash(password.toCharArray()), blocking)
          .thenCompose(hash -> store.createUser(settings.adminUsername(), hash, Role.ADMIN, clock.millis()))
          .thenAccept(created -> {
            if (!created) return;
            if (generated) {
              // Printed once, by the node that created the user; never again.
              log.warn("Created the first admin '{}' with the generated password {} (shown only now: log in and"
                  + " change it, or set GTV_ADMIN_PASSWORD before the first start)", settings.adminUsername(), password);
            } else {
              log.info("Created the first admin '{}' with the password from GTV_ADMIN_PASSWORD", settings.adminUsername());
            }
          });
    });
  }

  /** The principal a bearer credential stands for; fails with {@link AuthFailure}. */
  public CompletionStage<Principal> authenticate(String bearer) {
    if (settings.mode() == AuthSettings.Mode.OFF) return CompletableFuture.completedFuture(Principal.UNAUTHENTICATED_ADMIN);
    if (ApiKeys.looksLikeKey(bearer)) return apiKey(bearer);
    if (settings.mode() == AuthSettings.Mode.OIDC) return providerTokens.orElseThrow().verify(bearer);
    return tokens().thenApply(t -> {
      try {
        return t.verifyAccess(bearer);
      } catch (Tokens.InvalidToken e) {
        throw AuthFailure.unauthorized(e.getMessage());
      }
    });
  }

  /** A live-feed ticket: good for one connection, within its short lifetime. */
  public CompletionStage<Principal> redeemTicket(String ticket) {
    if (settings.mode() == AuthSettings.Mode.OFF) return CompletableFuture.completedFuture(Principal.UNAUTHENTICATED_ADMIN);
    return tokens().thenApply(t -> {
      try {
        Tokens.Ticket verified = t.verifyTicket(ticket);
        Instant now = clock.instant();
        usedTickets.values().removeIf(expires -> expires.isBefore(now));
        if (usedTickets.putIfAbsent(verified.id(), verified.expiresAt()) != null) {
          throw AuthFailure.unauthorized("ticket already used");
        }
        return verified.principal();
      } catch (Tokens.InvalidToken e) {
        throw AuthFailure.unauthorized(e.getMessage());
      }
    });
  }

  public CompletionStage<Tokens.Issued> ticket(Principal principal) {
    return tokens().thenApply(t -> t.ticket(principal));
  }

  /** A login: the token and whom it stands for. */
  public record Session(Tokens.Issued token, Principal principal) {}

  /** A token for a built-in user's name and password; fails with 401 for either being wrong. */
  public CompletionStage<Session> login(String username, String password) {
    if (settings.mode() != AuthSettings.Mode.BUILTIN) {
      return CompletableFuture.failedFuture(new AuthFailure(409, "built-in login is not used in " + settings.mode().wireName() + " mode"));
    }
    return checkPassword(username, password).thenCompose(principal -> tokens().thenApply(t -> new Session(t.access(principal), principal)));
  }

  /** The built-in user with this name and password (MediaMTX readers sign in this way too). */
  public CompletionStage<Principal> checkPassword(String username, String password) {
    return store.user(username).thenApplyAsync(user -> {
      boolean ok = passwords.matches(password.toCharArray(), user.map(AuthStore.User::passwordHash).orElse(decoyHash));
      if (!ok || user.isEmpty()) throw AuthFailure.unauthorized("wrong user name or password");
      return Principal.user(user.get().username(), user.get().role());
    }, blocking);
  }

  AuthStore store() {
    return store;
  }

  Passwords passwords() {
    return passwords;
  }

  Executor blocking() {
    return blocking;
  }

  Clock clock() {
    return clock;
  }

  ApiKeys apiKeys() {
    return apiKeys;
  }

  /** Forgets a revoked key at once on this node (others within key-cache-ttl). */
  void forgetKey(String id) {
    keyCache.remove(id);
  }

  private CompletionStage<Principal> apiKey(String bearer) {
    Optional<ApiKeys.Presented> presented = ApiKeys.parse(bearer);
    if (presented.isEmpty()) return CompletableFuture.failedFuture(AuthFailure.unauthorized("malformed API key"));
    String id = presented.get().id();
    long now = System.nanoTime();
    CachedKey cached = keyCache.get(id);
    CompletionStage<Optional<AuthStore.ApiKey>> key = cached != null && cached.expiresAtNanos() - now > 0
        ? CompletableFuture.completedFuture(cached.key())
        : store.key(id).thenApply(found -> {
          if (keyCache.size() > 10_000) keyCache.clear();
          keyCache.put(id, new CachedKey(found, now + settings.keyCacheTtl().toNanos()));
          return found;
        });
    return key.thenApply(found -> {
      if (found.isEmpty() || !ApiKeys.matches(presented.get().secret(), found.get().keyHash())) {
        throw AuthFailure.unauthorized("unknown API key");
      }
      if (found.get().revokedAt().isPresent()) throw AuthFailure.unauthorized("API key revoked");
      return new Principal("key:" + id, found.get().role(), found.get().cameras());
    });
  }

  private CompletionStage<Tokens> tokens() {
    CompletableFuture<Tokens> current = tokens.get();
    if (current != null && !current.isCompletedExceptionally()) return current;
    CompletableFuture<Tokens> next = new CompletableFuture<>();
    if (!tokens.compareAndSet(current, next)) return tokens();
    secret().thenApply(secret -> new Tokens(secret, settings.tokenTtl(), settings.ticketTtl(), clock))
        .whenComplete((t, error) -> {
          if (error != null) next.completeExceptionally(new AuthFailure(503, "authentication not ready: the database does not answer"));
          else next.complete(t);
        });
    return next;
  }

  private CompletionStage<byte[]> secret() {
    if (!settings.tokenSecret().isEmpty()) {
      try {
        byte[] configured = Base64.getDecoder().decode(settings.tokenSecret());
        if (configured.length < 32) throw new IllegalArgumentException("shorter than 32 bytes");
        return CompletableFuture.completedFuture(configured);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(new IllegalArgumentException(
            "gtv.auth.token-secret (GTV_AUTH_TOKEN_SECRET) must be base64 of at least 32 bytes: " + e.getMessage()));
      }
    }
    byte[] candidate = new byte[32];
    new SecureRandom().nextBytes(candidate);
    return store.secret(TOKEN_SECRET, Base64.getEncoder().encodeToString(candidate)).thenApply(Base64.getDecoder()::decode);
  }
}
