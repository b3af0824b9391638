package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class DigestAuthTest {

  @Test
  void answersTheRfc2617ExampleChallenge() {
    // RFC 2617 section 3.5: user Mufasa, password "Circle Of Life".
    DigestAuth auth = DigestAuth.fromChallenge(
        "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
            + "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        "Mufasa", "Circle Of Life", new SecureRandom());
    String header = auth.authorization("GET", "/dir/index.html", "0a4f113b");
    assertTrue(header.contains("response=\"6629fae49393a05397450978507c4ef1\""), header);
    assertTrue(header.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\""), header);
    assertTrue(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), header);
  }

  @Test
  void countsRequestsOnTheSameNonce() {
    DigestAuth auth = DigestAuth.fromChallenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"", "u", "p", new SecureRandom());
    auth.authorization("GET", "/a");
    assertTrue(auth.authorization("GET", "/a").contains("nc=00000002"));
  }

  @Test
  void withoutQopUsesTheRfc2069Response() {
    DigestAuth auth = DigestAuth.fromChallenge("Digest realm=\"r\", nonce=\"n\"", "u", "p", new SecureRandom());
    String expected = DigestAuth.hash("MD5", DigestAuth.hash("MD5", "u:r:p") + ":n:" + DigestAuth.hash("MD5", "GET:/x"));
    String header = auth.authorization("GET", "/x");
    assertTrue(header.contains("response=\"" + expected + "\""), header);
    assertTrue(!header.contains("qop="), header);
  }

  @Test
  void basicChallengeIsNotDigest() {
    assertNull(DigestAuth.fromChallenge("Basic realm=\"cam\"", "u", "p", new SecureRandom()));
  }

  @Test
  void parsesQuotedValuesWithCommas() {
    var params = DigestAuth.parseParams("realm=\"a, b\", nonce=xyz, qop=\"auth\"");
    assertEquals("a, b", params.get("realm"));
    assertEquals("xyz", params.get("nonce"));
    assertEquals("auth", params.get("qop"));
  }
}
