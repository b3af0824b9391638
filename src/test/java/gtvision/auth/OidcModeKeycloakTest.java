package gtvision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestKeycloak;
import gtvision.testsupport.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.text.ParseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node in oidc mode with a real Keycloak (realm src/test/resources/keycloak/gtvision-realm.json):
 * every check goes through the node's HTTP API with Keycloak's access tokens.
 */
class OidcModeKeycloakTest {
  private static final String REALM = "gtvision";
  @TempDir static Path dir;
  private static TestKeycloak keycloak;
  private static TestNodes.Node node;
  private static AuthClient client;

  @BeforeAll
  static void start() throws Exception {
    keycloak = new TestKeycloak("keycloak/gtvision-realm.json", REALM);
    node = TestNodes.start(TestDatabases.preferPostgres("auth_oidc", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.auth.mode = oidc",
        "gtv.auth.oidc.issuer = \"" + keycloak.issuer(REALM) + "\"",
        "gtv.auth.oidc.audience = gtvision-api",
        // A token with a new key id refetches the key set at once (rotation is under test, not the limit).
        "gtv.auth.oidc.jwks-min-refetch-interval = 0s",
        "gtv.auth.password-iterations = 1000")));
    client = new AuthClient(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (keycloak != null) keycloak.close();
  }

  private static String password(String user) {
    return keycloak.passwordToken(REALM, "gtvision-dashboard", user, user + "-password");
  }

  private static String kid(String token) throws ParseException {
    return SignedJWT.parse(token).getHeader().getKeyID();
  }

  @Test
  void aViewersTokenReadsCamerasButMayNotCreateOne() {
    String alice = password("alice");
    HttpResponse<String> list = client.call("GET", "/api/cameras", null, alice);
    assertEquals(200, list.statusCode(), list.body());
    HttpResponse<String> create = client.call("POST", "/api/cameras", AuthorizationTest.camera("alice-cam"), alice);
    assertEquals(403, create.statusCode(), create.body());
    HttpResponse<String> me = client.call("GET", "/api/auth/me", null, alice);
    assertEquals(200, me.statusCode(), me.body());
    assertEquals("alice", AuthClient.json(me).get("name").asText(), me.body());
    assertEquals("viewer", AuthClient.json(me).get("role").asText(), me.body());
    assertEquals("oidc", AuthClient.json(me).get("mode").asText(), me.body());
  }

  @Test
  void anAdminsTokenCreatesACameraAndAnOperatorsTogglesIt() {
    String adam = password("adam");
    HttpResponse<String> created = client.call("POST", "/api/cameras", AuthorizationTest.camera("adam-cam"), adam);
    assertEquals(201, created.statusCode(), created.body());
    HttpResponse<String> read = client.call("GET", "/api/cameras/adam-cam", null, password("alice"));
    assertEquals(200, read.statusCode(), read.body());
    String olga = password("olga");
    assertEquals(403, client.call("DELETE", "/api/cameras/adam-cam", null, olga).statusCode());
    HttpResponse<String> enable = client.call("POST", "/api/cameras/adam-cam/enable", null, olga);
    assertNotEquals(401, enable.statusCode(), enable.body());
    assertNotEquals(403, enable.statusCode(), enable.body());
  }

  @Test
  void aClientCredentialsTokenActsWithItsServiceAccountsRole() {
    String producer = keycloak.clientCredentialsToken(REALM, "camera-producer", "camera-producer-secret");
    HttpResponse<String> me = client.call("GET", "/api/auth/me", null, producer);
    assertEquals(200, me.statusCode(), me.body());
    assertEquals("ingest", AuthClient.json(me).get("role").asText(), me.body());
    // ingest writes detections and reads nothing.
    assertEquals(403, client.call("GET", "/api/cameras", null, producer).statusCode());
  }

  @Test
  void withoutAValidTokenTheAnswerIs401() {
    HttpResponse<String> none = client.call("GET", "/api/cameras", null, null);
    assertEquals(401, none.statusCode(), none.body());
    HttpResponse<String> garbage = client.call("GET", "/api/cameras", null, "eyJhbGciOiJub25lIn0.e30.");
    assertEquals(401, garbage.statusCode(), garbage.body());
    assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent(), none.headers().toString());
    // Another client's token has no gtvision-api audience.
    String other = keycloak.passwordToken(REALM, "other-app", "adam", "adam-password");
    HttpResponse<String> otherAudience = client.call("GET", "/api/cameras", null, other);
    assertEquals(401, otherAudience.statusCode(), otherAudience.body());
  }

  @Test
  void aRotatedSigningKeyIsAcceptedWithoutARestart() throws Exception {
    String before = password("adam");
    assertEquals(200, client.call("GET", "/api/cameras", null, before).statusCode());
    String newKid = keycloak.rotateRsaKey(REALM);
    String after = password("adam");
    assertEquals(newKid, kid(after));
    assertNotEquals(kid(before), kid(after));
    HttpResponse<String> list = client.call("GET", "/api/cameras", null, after);
    assertEquals(200, list.statusCode(), list.body());
    // Tokens signed by the previous key stay valid until they expire.
    assertEquals(200, client.call("GET", "/api/cameras", null, before).statusCode());
  }
}
