package gtvision.auth;

import gtvision.persistence.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * Users, API keys and the token secret of built-in authentication, in the node's database so that
 * every member of the cluster sees the same ones (a login on one node, a revoke on another). Every
 * call runs on the blocking dispatcher.
 */
final class AuthStore {
  private final Database database;

  record User(String username, String passwordHash, Role role, long createdAt) {}

  record ApiKey(String id, String name, Role role, Set<String> cameras, String keyHash, String createdBy, long createdAt,
      Optional<Long> revokedAt) {}

  AuthStore(Database database) {
    this.database = database;
  }

  CompletionStage<Optional<User>> user(String username) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT username, password_hash, role, created_at FROM gtv_auth_users WHERE username = ?")) {
        s.setString(1, username);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(user(r)) : Optional.<User>empty();
        }
      }
    });
  }

  CompletionStage<List<User>> users() {
    return database.run(c -> {
      List<User> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(
              "SELECT username, password_hash, role, created_at FROM gtv_auth_users ORDER BY username");
          ResultSet r = s.executeQuery()) {
        while (r.next()) out.add(user(r));
      }
      return out;
    });
  }

  CompletionStage<Boolean> anyUser() {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM gtv_auth_users FETCH FIRST 1 ROWS ONLY");
          ResultSet r = s.executeQuery()) {
        return r.next();
      }
    });
  }

  /** False when the user name is taken (two nodes creating the first admin at once: one wins). */
  CompletionStage<Boolean> createUser(String username, String passwordHash, Role role, long now) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO gtv_auth_users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
        s.setString(1, username);
        s.setString(2, passwordHash);
        s.setString(3, role.wireName());
        s.setLong(4, now);
        s.setLong(5, now);
        s.executeUpdate();
        return true;
      } catch (SQLException e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    });
  }

  /** False when there is no such user. */
  CompletionStage<Boolean> updateUser(String username, Optional<String> passwordHash, Optional<Role> role, long now) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE gtv_auth_users SET password_hash = COALESCE(?, password_hash), role = COALESCE(?, role), updated_at = ?"
              + " WHERE username = ?")) {
        s.setString(1, passwordHash.orElse(null));
        s.setString(2, role.map(Role::wireName).orElse(null));
        s.setLong(3, now);
        s.setString(4, username);
        return s.executeUpdate() == 1;
      }
    });
  }

  CompletionStage<Boolean> deleteUser(String username) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM gtv_auth_users WHERE username = ?")) {
        s.setString(1, username);
        return s.executeUpdate() == 1;
      }
    });
  }

  CompletionStage<Integer> countAdmins() {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM gtv_auth_users WHERE role = 'admin'");
          ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    });
  }

  CompletionStage<Void> createKey(ApiKey key) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO gtv_auth_keys (id, name, role, cameras, key_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, key.id());
        s.setString(2, key.name());
        s.setString(3, key.role().wireName());
        s.setString(4, String.join(",", key.cameras()));
        s.setString(5, key.keyHash());
        s.setString(6, key.createdBy());
        s.setLong(7, key.createdAt());
        s.executeUpdate();
        return null;
      }
    });
  }

  CompletionStage<Optional<ApiKey>> key(String id) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement(KEY_COLUMNS + " WHERE id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(key(r)) : Optional.<ApiKey>empty();
        }
      }
    });
  }

  CompletionStage<List<ApiKey>> keys() {
    return database.run(c -> {
      List<ApiKey> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(KEY_COLUMNS + " ORDER BY created_at, id");
          ResultSet r = s.executeQuery()) {
        while (r.next()) out.add(key(r));
      }
      return out;
    });
  }

  /** False when there is no such key or it was revoked already. */
  CompletionStage<Boolean> revokeKey(String id, long now) {
    return database.run(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE gtv_auth_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
        s.setLong(1, now);
        s.setString(2, id);
        return s.executeUpdate() == 1;
      }
    });
  }

  /** The named secret; {@code candidate} is stored first when there is none (the first node to start wins). */
  CompletionStage<String> secret(String name, String candidate) {
    return database.run(c -> {
      Optional<String> existing = readSecret(c, name);
      if (existing.isPresent()) return existing.get();
      try (PreparedStatement s = c.prepareStatement("INSERT INTO gtv_auth_secrets (name, secret) VALUES (?, ?)")) {
        s.setString(1, name);
        s.setString(2, candidate);
        s.executeUpdate();
        return candidate;
      } catch (SQLException e) {
        if (!isUniqueViolation(e)) throw e;
        return readSecret(c, name).orElseThrow(() -> e);
      }
    });
  }

  private static Optional<String> readSecret(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT secret FROM gtv_auth_secrets WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    }
  }

  private static final String KEY_COLUMNS =
      "SELECT id, name, role, cameras, key_hash, created_by, created_at, revoked_at FROM gtv_auth_keys";

  private static User user(ResultSet r) throws SQLException {
    return new User(r.getString(1), r.getString(2), Role.parse(r.getString(3)).orElse(Role.VIEWER), r.getLong(4));
  }

  private static ApiKey key(ResultSet r) throws SQLException {
    Set<String> cameras = new TreeSet<>(Arrays.stream(r.getString(4).split(",")).filter(s -> !s.isEmpty()).toList());
    long revoked = r.getLong(8);
    Optional<Long> revokedAt = r.wasNull() ? Optional.empty() : Optional.of(revoked);
    return new ApiKey(r.getString(1), r.getString(2), Role.parse(r.getString(3)).orElse(Role.VIEWER), cameras,
        r.getString(5), r.getString(6), r.getLong(7), revokedAt);
  }

  private static boolean isUniqueViolation(SQLException e) {
    // 23505 in PostgreSQL and H2.
    return "23505".equals(e.getSQLState());
  }
}
