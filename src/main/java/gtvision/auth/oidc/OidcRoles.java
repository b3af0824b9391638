package gtvision.auth.oidc;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The roles a token's claims grant, from a claim name or a dotted path into nested claims. */
final class OidcRoles {
  private OidcRoles() {}

  /**
   * {@code realm_access.roles} (Keycloak) walks into objects; a claim whose own name is the whole path
   * (a top-level {@code roles}, or a namespaced {@code https://example.com/roles}) is taken first. A list
   * of strings or one string (space-separated, like {@code scope}) is read; anything else grants nothing.
   */
  static Set<String> from(Map<String, Object> claims, String path) {
    Object value = claims.containsKey(path) ? claims.get(path) : walk(claims, path);
    Set<String> roles = new LinkedHashSet<>();
    if (value instanceof Collection<?> list) {
      for (Object role : list) if (role instanceof String s && !s.isBlank()) roles.add(s.strip());
    } else if (value instanceof String s) {
      for (String role : s.split(" ")) if (!role.isBlank()) roles.add(role);
    }
    return Set.copyOf(roles);
  }

  private static Object walk(Map<String, Object> claims, String path) {
    Object current = claims;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) return null;
      current = map.get(part);
    }
    return current;
  }
}
