package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddedIpv4Test {
  private static List<String> embedded(String ipv6) throws Exception {
    return EmbeddedIpv4.of(InetAddress.getByName(ipv6)).stream().map(e -> e.address().getHostAddress()).toList();
  }

  @ParameterizedTest(name = "{0} embeds {1} ({2})")
  @CsvSource({
      "::169.254.169.254, 169.254.169.254, IPv4-compatible ::/96",
      "::a00:1, 10.0.0.1, IPv4-compatible ::/96",
      "::ffff:0:a9fe:a9fe, 169.254.169.254, IPv4-translated ::ffff:0:0:0/96",
      "64:ff9b::a9fe:a9fe, 169.254.169.254, NAT64 64:ff9b::/96",
      "64:ff9b::10.1.2.3, 10.1.2.3, NAT64 64:ff9b::/96",
      "64:ff9b:1::a9fe:a9fe, 169.254.169.254, NAT64 64:ff9b:1::/48 (/96 prefix)",
      "64:ff9b:1:abcd:ef01:2345:a9fe:a9fe, 169.254.169.254, NAT64 64:ff9b:1::/48 (/96 prefix)",
      "2002:a9fe:a9fe::1, 169.254.169.254, 6to4 2002::/16",
      "2002:c0a8:0101:5::9, 192.168.1.1, 6to4 2002::/16",
      // Teredo: server 65.54.227.120, client 169.254.169.254 stored inverted (0x5601 0x5601).
      "2001:0:4136:e378:8000:63bf:5601:5601, 169.254.169.254, Teredo 2001::/32",
      "2001::ffff:fffe, 0.0.0.1, Teredo 2001::/32"})
  void theIpv4InsideEachFormIsRead(String ipv6, String ipv4, String form) throws Exception {
    List<EmbeddedIpv4.Embedded> found = EmbeddedIpv4.of(InetAddress.getByName(ipv6));
    assertEquals(ipv4, found.get(0).address().getHostAddress());
    assertEquals(form, found.get(0).form());
  }

  @Test
  void anIpv4MappedAddressIsReadEvenWhenTheResolverKeepsItIpv6() throws Exception {
    // The JDK turns ::ffff:a.b.c.d literals into IPv4 addresses; a resolver may still hand one over as IPv6.
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = (byte) 169;
    mapped[13] = (byte) 254;
    mapped[14] = (byte) 169;
    mapped[15] = (byte) 254;
    InetAddress address = Inet6Address.getByAddress(null, mapped, -1);
    assertTrue(address instanceof Inet6Address);
    List<EmbeddedIpv4.Embedded> found = EmbeddedIpv4.of(address);
    assertEquals("169.254.169.254", found.get(0).address().getHostAddress());
    assertEquals("IPv4-mapped ::ffff:0:0/96", found.get(0).form());
  }

  @Test
  void theLocalUseNat64PrefixIsReadAtEveryPositionThatFitsTheAddress() throws Exception {
    // 169.254.169.254 under a /48 translation prefix: bytes 6-7 and 9-10, the "u" octet (8) zero.
    assertTrue(embedded("64:ff9b:1:a9fe:a9:fe00::").contains("169.254.169.254"), embedded("64:ff9b:1:a9fe:a9:fe00::").toString());
    // Under a /64 prefix: bytes 9-12.
    assertTrue(embedded("64:ff9b:1::a9:fea9:fe00:0").contains("169.254.169.254"));
    // Under a /56 prefix: byte 7, then 9-11.
    assertTrue(embedded("64:ff9b:1:a9:fe:a9fe::").contains("169.254.169.254"));
    // A /96 address with a non-zero tail reads at /96 only.
    assertEquals(List.of("10.0.0.1"), embedded("64:ff9b:1::a00:1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"::1", "::", "fc00::1", "fe80::1", "2001:db8::1", "2606:4700::1111", "64:ff9c::a9fe:a9fe", "10.0.0.1"})
  void plainAddressesEmbedNothing(String address) throws Exception {
    assertEquals(List.of(), embedded(address));
  }
}
