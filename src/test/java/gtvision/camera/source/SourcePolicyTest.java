package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.camera.SourceKind;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourcePolicyTest {
  /** Names as a DNS server might answer them; literals parse as the JDK does. */
  private static final Map<String, String> ZONE = Map.of(
      "rebind.cams.example.com", "169.254.169.254",
      "gate1.cams.example.com", "203.0.113.7",
      "internal.example.com", "10.0.0.9",
      "public.example.com", "203.0.113.9");

  private static InetAddress[] resolve(String host) throws UnknownHostException {
    String ip = ZONE.get(host);
    if (ip != null) return new InetAddress[] {InetAddress.getByName(ip)};
    if (host.endsWith(".invalid")) throw new UnknownHostException(host);
    return InetAddress.getAllByName(host);
  }

  private static SourcePolicy policy(String allowed, boolean files) {
    return new SourcePolicy(AllowedNetworks.parse(allowed), files, Set.of(8080, 7626, 7355), SourcePolicyTest::resolve);
  }

  private static final SourcePolicy DEFAULTS = policy(AllowedNetworks.DEFAULT + ",.cams.example.com", false);

  private static SourceRefusedException refused(SourcePolicy policy, String url, SourceKind kind) {
    return assertThrows(SourceRefusedException.class, () -> policy.check(URI.create(url), kind), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest", "http://100.100.100.200/",
      "http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.google.internal./"})
  void cloudMetadataIsRefusedEvenWhenEverythingIsAllowed(String url) {
    SourcePolicy everything = policy("0.0.0.0/0,::/0,.internal", false);
    assertEquals("a cloud metadata address", refused(everything, url, SourceKind.SNAPSHOT).reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://169.254.1.1/", "http://[fe80::1]/", "http://0.0.0.0:554/", "http://[::]/",
      "http://224.0.0.1/", "http://255.255.255.255/", "http://[ff02::1]/"})
  void linkLocalUnspecifiedAndMulticastAreAlwaysRefused(String url) {
    SourcePolicy everything = policy("0.0.0.0/0,::/0", false);
    refused(everything, url, SourceKind.MJPEG);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "http://[64:ff9b::169.254.169.254]/", "http://[::169.254.169.254]/",
      "http://[::ffff:0:a9fe:a9fe]/", "http://[64:ff9b:1::a9fe:a9fe]/", "http://[64:ff9b:1:a9fe:a9:fe00::]/",
      "http://[2002:a9fe:a9fe::1]/", "http://[2001:0:4136:e378:8000:63bf:5601:5601]/"})
  void anIpv6AddressThatEmbedsTheMetadataAddressIsRefusedAsOne(String url) {
    SourcePolicy everything = policy("0.0.0.0/0,::/0", false);
    SourceRefusedException e = refused(everything, url, SourceKind.SNAPSHOT);
    assertEquals("a cloud metadata address", e.reason());
    assertTrue(e.getMessage().contains("169.254.169.254 embedded"), e.getMessage());
  }

  @Test
  void theEmbeddedIpv4DecidesAgainstTheAllowedNetworks() throws Exception {
    // NAT64 of a private camera address passes the default list (10/8), though 64:ff9b::/96 is not in it.
    assertEquals(80, DEFAULTS.check(URI.create("http://[64:ff9b::a00:7]/snap.jpg"), SourceKind.SNAPSHOT).port());
    DEFAULTS.check(URI.create("rtsp://[2002:c0a8:101::1]/live"), SourceKind.RTSP);
    // Allowing all of IPv6 does not allow the public IPv4 a 6to4 or NAT64 address leads to.
    SourcePolicy allIpv6 = policy("::/0", false);
    SourceRefusedException e = refused(allIpv6, "http://[64:ff9b::808:808]/", SourceKind.SNAPSHOT);
    assertEquals("not in gtv.camera.allowed-networks", e.reason());
    assertTrue(e.getMessage().contains("8.8.8.8 embedded, NAT64 64:ff9b::/96"), e.getMessage());
    refused(allIpv6, "http://[2002:808:808::1]/", SourceKind.SNAPSHOT);
    // Other embedded rules apply too: link-local, unspecified, and the node's ports on an embedded loopback.
    assertEquals("a link-local address", refused(allIpv6, "http://[::ffff:0:a9fe:101]/", SourceKind.SNAPSHOT).reason());
    assertEquals("an unspecified address (0.0.0.0 or ::)", refused(allIpv6, "http://[64:ff9b::]/", SourceKind.SNAPSHOT).reason());
    assertEquals("this node's own port 8080",
        refused(policy("0.0.0.0/0,::/0", false), "http://[64:ff9b::7f00:1]:8080/", SourceKind.SNAPSHOT).reason());
  }

  @Test
  void aResolverAnswerThatEmbedsAForbiddenIpv4IsRefusedUnderAnAllowedSuffix() {
    SourcePolicy policy = new SourcePolicy(AllowedNetworks.parse(".cams.example.com"), false, Set.of(),
        host -> new InetAddress[] {InetAddress.getByName("64:ff9b::a9fe:a9fe")});
    SourceRefusedException e = refused(policy, "http://nat64.cams.example.com/", SourceKind.SNAPSHOT);
    assertEquals("a cloud metadata address", e.reason());
  }

  @Test
  void theNodesOwnPortsAreRefusedOnLoopbackButOtherPortsThereAreAllowed() throws Exception {
    for (String url : new String[] {"http://127.0.0.1:8080/api/cameras", "http://localhost:7626/ready", "rtsp://127.0.0.1:7355/"}) {
      SourceRefusedException e = refused(DEFAULTS, url, url.startsWith("rtsp") ? SourceKind.RTSP : SourceKind.SNAPSHOT);
      assertTrue(e.reason().startsWith("this node's own port"), e.getMessage());
    }
    assertEquals(9000, DEFAULTS.check(URI.create("http://127.0.0.1:9000/snap.jpg"), SourceKind.SNAPSHOT).port());
  }

  @Test
  void aNameThatResolvesToARefusedAddressIsRefusedEvenUnderAnAllowedSuffix() {
    SourceRefusedException e = refused(DEFAULTS, "http://rebind.cams.example.com/snap.jpg", SourceKind.SNAPSHOT);
    assertEquals("a cloud metadata address", e.reason());
    assertTrue(e.getMessage().contains("rebind.cams.example.com"), e.getMessage());
  }

  @Test
  void anAllowedDnsSuffixAllowsAPublicAddressAndTheConnectionIsPinnedToIt() throws Exception {
    CheckedSource checked = DEFAULTS.check(URI.create("rtsp://u:p%40w@gate1.cams.example.com:8554/live?x=1"), SourceKind.RTSP);
    assertEquals("203.0.113.7", checked.address().getHostAddress());
    assertEquals("rtsp://u:p%40w@203.0.113.7:8554/live?x=1", checked.pinnedUrl());
    assertEquals("gate1.cams.example.com:8554", checked.hostHeader());
    assertEquals("not in gtv.camera.allowed-networks",
        refused(DEFAULTS, "http://public.example.com/", SourceKind.SNAPSHOT).reason());
  }

  @Test
  void aSuffixAllowsARealNameWhileTheSameAddressAsALiteralIsRefused() throws Exception {
    SourcePolicy onlyLocalhost = policy(".localhost", false);
    assertTrue(onlyLocalhost.check(URI.create("http://localhost:9000/"), SourceKind.SNAPSHOT).address().isLoopbackAddress());
    refused(onlyLocalhost, "http://127.0.0.1:9000/", SourceKind.SNAPSHOT);
  }

  @Test
  void privateAddressesPassTheDefaultList() throws Exception {
    assertEquals("10.0.0.9", DEFAULTS.check(URI.create("http://internal.example.com/a.jpg"), SourceKind.SNAPSHOT)
        .address().getHostAddress());
    DEFAULTS.check(URI.create("rtsp://192.168.1.20/stream"), SourceKind.RTSP);
  }

  @Test
  void aNameThatDoesNotResolveIsRefusedAsUnresolved() {
    SourceRefusedException e = refused(DEFAULTS, "rtsp://camera.invalid/s", SourceKind.RTSP);
    assertTrue(e.unresolved());
  }

  @Test
  void fileSourcesNeedTheSwitch() throws Exception {
    SourceRefusedException e = refused(DEFAULTS, "file:///etc/passwd", SourceKind.FILE);
    assertTrue(e.getMessage().contains("gtv.camera.allow-file-sources"), e.getMessage());
    policy(AllowedNetworks.DEFAULT, true).check(URI.create("file:///videos/a.mp4"), SourceKind.FILE);
  }

  @Test
  void theNodeConfigurationGivesTheDefaultsAndItsOwnPorts() throws Exception {
    SourcePolicy fromConfig = SourcePolicy.from(ConfigFactory.parseString(
        "gtv.http.port = 18080, pekko.management.http.port = 17626").withFallback(ConfigFactory.load()));
    assertFalse(fromConfig.allowFileSources());
    assertThrows(SourceRefusedException.class,
        () -> fromConfig.check(URI.create("http://127.0.0.1:18080/"), SourceKind.SNAPSHOT));
    assertThrows(SourceRefusedException.class,
        () -> fromConfig.check(URI.create("http://127.0.0.1:17626/"), SourceKind.SNAPSHOT));
    fromConfig.check(URI.create("http://127.0.0.1:18081/"), SourceKind.SNAPSHOT);
    assertThrows(SourceRefusedException.class,
        () -> fromConfig.check(URI.create("http://8.8.8.8/"), SourceKind.SNAPSHOT));
  }
}
