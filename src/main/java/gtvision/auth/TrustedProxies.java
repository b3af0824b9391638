package gtvision.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The client's address: the TCP peer, unless the peer is one of our proxies (gtv.http.trusted-proxies),
 * in which case the address the proxy puts in X-Forwarded-For. Anyone else's X-Forwarded-For is ignored:
 * a client could otherwise pick the bucket its requests are limited in.
 */
public final class TrustedProxies {
  private record Network(byte[] prefix, int bits) {
    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != prefix.length) return false;
      int full = bits / 8;
      for (int i = 0; i < full; i++) if (a[i] != prefix[i]) return false;
      int rest = bits % 8;
      if (rest == 0) return true;
      int mask = 0xff << (8 - rest);
      return (a[full] & mask) == (prefix[full] & mask);
    }
  }

  private final List<Network> networks;

  public TrustedProxies(List<String> cidrs) {
    this.networks = cidrs.stream().map(TrustedProxies::parse).toList();
  }

  /** The client address of a request that came from {@code peer} with this X-Forwarded-For, if any. */
  public String client(Optional<InetAddress> peer, Optional<String> forwardedFor) {
    String peerText = peer.map(InetAddress::getHostAddress).orElse("unknown");
    if (peer.isEmpty() || forwardedFor.isEmpty() || networks.stream().noneMatch(n -> n.contains(peer.get()))) return peerText;
    // Walk back from the hop our proxy added: hops added by other proxies of ours are skipped, the first
    // address that is not one of ours is the client (anything left of it the client could have written).
    String[] hops = forwardedFor.get().split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      if (hop.isEmpty()) break;
      Optional<InetAddress> address = literal(hop);
      if (address.isEmpty()) return hop;
      if (i == 0 || networks.stream().noneMatch(n -> n.contains(address.get()))) return address.get().getHostAddress();
    }
    return peerText;
  }

  private static Optional<InetAddress> literal(String text) {
    if (!text.matches("[0-9a-fA-F:.]+")) return Optional.empty();
    try {
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static Network parse(String cidr) {
    String[] parts = cidr.split("/", 2);
    try {
      // Numeric addresses only: no name lookups while reading the configuration.
      if (!parts[0].matches("[0-9a-fA-F:.]+")) throw new UnknownHostException(parts[0]);
      byte[] address = InetAddress.getByName(parts[0]).getAddress();
      int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
      if (bits < 0 || bits > address.length * 8) throw new NumberFormatException(parts[1]);
      return new Network(address, bits);
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("gtv.http.trusted-proxies (GTV_TRUSTED_PROXIES): '" + cidr
          + "' is not an address or CIDR");
    }
  }
}
