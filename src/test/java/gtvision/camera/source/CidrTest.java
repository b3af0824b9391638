package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void anIpv4NetworkContainsItsAddressesAndNoOthers() throws Exception {
    Cidr net = Cidr.parse("172.16.0.0/12");
    assertTrue(net.contains(ip("172.16.0.1")));
    assertTrue(net.contains(ip("172.31.255.255")));
    assertFalse(net.contains(ip("172.32.0.0")));
    assertFalse(net.contains(ip("172.15.255.255")));
  }

  @Test
  void anIpv6NetworkContainsItsAddressesAndNeverAnIpv4One() throws Exception {
    Cidr net = Cidr.parse("fc00::/7");
    assertTrue(net.contains(ip("fd12:3456::1")));
    assertFalse(net.contains(ip("fe80::1")));
    assertFalse(net.contains(ip("10.0.0.1")));
  }

  @Test
  void aBareAddressIsANetworkOfOne() throws Exception {
    Cidr one = Cidr.parse("::1");
    assertEquals(128, one.prefix());
    assertTrue(one.contains(ip("::1")));
    assertFalse(one.contains(ip("::2")));
  }

  @Test
  void namesAndBadPrefixesAreRefusedWithoutAnyLookup() {
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("cams.example.com/24"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/x"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("fc00::/129"));
  }
}
