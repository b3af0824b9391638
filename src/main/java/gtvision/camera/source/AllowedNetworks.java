package gtvision.camera.source;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code gtv.camera.allowed-networks}: the networks (CIDRs) camera addresses may lie in, and DNS suffixes
 * ({@code .cams.example.com}) whose names are allowed wherever they resolve. Neither can allow what
 * {@link SourcePolicy} always refuses.
 */
public record AllowedNetworks(List<Cidr> networks, List<String> suffixes) {

  public static final String DEFAULT = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7,127.0.0.0/8,::1";

  public AllowedNetworks {
    networks = List.copyOf(networks);
    suffixes = List.copyOf(suffixes);
  }

  /** Parses a comma-separated list; an entry starting with a dot is a DNS suffix, any other an IP network. */
  public static AllowedNetworks parse(String list) {
    List<Cidr> networks = new ArrayList<>();
    List<String> suffixes = new ArrayList<>();
    for (String entry : list.split(",")) {
      String e = entry.strip().toLowerCase(Locale.ROOT);
      if (e.isEmpty()) continue;
      if (e.startsWith(".")) {
        if (e.length() < 2 || e.contains("/") || e.contains(":")) {
          throw new IllegalArgumentException("gtv.camera.allowed-networks: '" + entry.strip() + "' is not a DNS suffix");
        }
        suffixes.add(e);
      } else {
        try {
          networks.add(Cidr.parse(e));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException("gtv.camera.allowed-networks: " + ex.getMessage()
              + " (networks are CIDRs, DNS suffixes start with a dot)");
        }
      }
    }
    return new AllowedNetworks(networks, suffixes);
  }

  public boolean allowsAddress(InetAddress address) {
    return networks.stream().anyMatch(n -> n.contains(address));
  }

  /** {@code .cams.example.com} allows {@code cams.example.com} and every name under it. */
  public boolean allowsName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    while (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    String name = h;
    return suffixes.stream().anyMatch(s -> name.endsWith(s) || name.equals(s.substring(1)));
  }
}
