package gtvision.camera.source;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code fc00::/7}. A bare address is a network of
 * one. Only address literals are accepted: a name here would make the policy depend on DNS.
 */
public record Cidr(InetAddress network, int prefix) {

  public Cidr {
    int bits = network.getAddress().length * 8;
    if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("prefix /" + prefix + " outside 0.." + bits);
  }

  /** Parses {@code address[/prefix]}; throws {@link IllegalArgumentException} naming the bad entry. */
  public static Cidr parse(String text) {
    String s = text.strip();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    if (!looksLikeLiteral(address)) throw new IllegalArgumentException("'" + text + "' is not an IP network");
    InetAddress network;
    try {
      // A literal never reaches DNS: getByName parses it.
      network = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP network");
    }
    int bits = network.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
    }
    if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("'" + text + "' has a prefix outside 0.." + bits);
    return new Cidr(network, prefix);
  }

  static boolean looksLikeLiteral(String s) {
    return !s.isEmpty() && (s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
  }

  /** Whether {@code address} lies in this network; IPv4 and IPv6 never match each other. */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) return false;
    int full = prefix / 8;
    if (!Arrays.equals(a, 0, full, n, 0, full)) return false;
    int rest = prefix % 8;
    if (rest == 0) return true;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (n[full] & mask);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }
}
