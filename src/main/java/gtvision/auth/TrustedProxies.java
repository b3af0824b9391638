package gtvision.auth;

import gtvision.camera.source.Cidr;
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
  private final List<Cidr> networks;

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

  private static Cidr parse(String cidr) {
    try {
      return Cidr.parse(cidr);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gtv.http.trusted-proxies (GTV_TRUSTED_PROXIES): " + e.getMessage());
    }
  }
}
