package gtvision.camera.source;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * IPv6 addresses that carry an IPv4 address, which is where packets to them end up (a translator, a
 * relay or the dual stack itself unwraps it): {@code [64:ff9b::a9fe:a9fe]} reaches 169.254.169.254
 * through a NAT64 gateway, so the policy checks the IPv4 inside by the same rules as a plain one.
 */
final class EmbeddedIpv4 {
  private EmbeddedIpv4() {}

  /** An IPv4 address read out of an IPv6 one, and the form it was found in (for messages). */
  record Embedded(Inet4Address address, String form) {}

  private static final byte[] NAT64_WELL_KNOWN = {0x00, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  private static final byte[] NAT64_LOCAL = {0x00, 0x64, (byte) 0xff, (byte) 0x9b, 0x00, 0x01};

  /**
   * The IPv4 addresses {@code address} embeds, none for a plain address. Forms: IPv4-mapped
   * {@code ::ffff:0:0/96}, IPv4-translated {@code ::ffff:0:0:0/96}, IPv4-compatible {@code ::/96} (not
   * {@code ::} and {@code ::1}), NAT64 {@code 64:ff9b::/96} and {@code 64:ff9b:1::/48}, 6to4
   * {@code 2002::/16} and Teredo {@code 2001::/32} (its client address, stored inverted).
   */
  static List<Embedded> of(InetAddress address) {
    if (!(address instanceof Inet6Address)) return List.of();
    byte[] a = address.getAddress();
    if (zero(a, 0, 10) && ff(a, 10) && ff(a, 11)) return List.of(read(a, 12, "IPv4-mapped ::ffff:0:0/96"));
    if (zero(a, 0, 8) && ff(a, 8) && ff(a, 9) && zero(a, 10, 12)) return List.of(read(a, 12, "IPv4-translated ::ffff:0:0:0/96"));
    if (zero(a, 0, 12)) {
      // :: and ::1 are the unspecified and loopback addresses, checked as themselves.
      if (zero(a, 12, 15) && (a[15] == 0 || a[15] == 1)) return List.of();
      return List.of(read(a, 12, "IPv4-compatible ::/96"));
    }
    if (Arrays.equals(a, 0, 12, NAT64_WELL_KNOWN, 0, 12)) return List.of(read(a, 12, "NAT64 64:ff9b::/96"));
    if (Arrays.equals(a, 0, 6, NAT64_LOCAL, 0, 6)) return localNat64(a);
    if (a[0] == 0x20 && a[1] == 0x02) return List.of(read(a, 2, "6to4 2002::/16"));
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) {
      byte[] client = new byte[4];
      for (int i = 0; i < 4; i++) client[i] = (byte) ~a[12 + i];
      return List.of(new Embedded(v4(client), "Teredo 2001::/32"));
    }
    return List.of();
  }

  /**
   * The local-use NAT64 prefix (RFC 8215) holds translation prefixes of any length RFC 6052 allows, and
   * the IPv4 sits at a different place for each: every place that fits the address (the "u" octet and the
   * suffix zero) is read, so that a translator with a shorter prefix cannot be aimed past the check.
   */
  private static List<Embedded> localNat64(byte[] a) {
    List<Embedded> out = new ArrayList<>();
    out.add(read(a, 12, "NAT64 64:ff9b:1::/48 (/96 prefix)"));
    if (a[8] == 0) {
      if (zero(a, 13, 16)) out.add(new Embedded(v4(new byte[] {a[9], a[10], a[11], a[12]}), "NAT64 64:ff9b:1::/48 (/64 prefix)"));
      if (zero(a, 12, 16)) out.add(new Embedded(v4(new byte[] {a[7], a[9], a[10], a[11]}), "NAT64 64:ff9b:1::/48 (/56 prefix)"));
      if (zero(a, 11, 16)) out.add(new Embedded(v4(new byte[] {a[6], a[7], a[9], a[10]}), "NAT64 64:ff9b:1::/48 (/48 prefix)"));
    }
    return out;
  }

  private static Embedded read(byte[] a, int from, String form) {
    return new Embedded(v4(Arrays.copyOfRange(a, from, from + 4)), form);
  }

  private static Inet4Address v4(byte[] bytes) {
    try {
      return (Inet4Address) InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }

  private static boolean zero(byte[] a, int from, int to) {
    for (int i = from; i < to; i++) if (a[i] != 0) return false;
    return true;
  }

  private static boolean ff(byte[] a, int i) {
    return a[i] == (byte) 0xff;
  }
}
