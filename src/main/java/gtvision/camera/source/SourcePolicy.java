package gtvision.camera.source;

import com.typesafe.config.Config;
import gtvision.camera.SourceKind;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which camera sources a node may connect to, so that a camera URL cannot reach cloud metadata, this
 * node's own ports or services outside the camera networks (SSRF). Every address a name resolves to must
 * pass, and so must the IPv4 address inside an IPv6 one that embeds it ({@link EmbeddedIpv4}); {@link #check}
 * resolves, so it blocks: call it on a blocking dispatcher, never in an actor.
 */
public final class SourcePolicy {
  /** Name resolution; the JDK's resolver in production. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** Cloud metadata services (AWS IPv4 and IPv6, Alibaba); refused whatever the allowed list says. */
  private static final List<Cidr> METADATA = Stream.of("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
      .map(Cidr::parse).toList();
  private static final String METADATA_REASON = "a cloud metadata address";
  private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog");
  private static final List<Cidr> LINK_LOCAL = Stream.of("169.254.0.0/16", "fe80::/10").map(Cidr::parse).toList();
  /** "This network" and the unspecified addresses: 0.0.0.0 connects to the local host on Linux. */
  private static final List<Cidr> UNSPECIFIED = Stream.of("0.0.0.0/8", "::/128").map(Cidr::parse).toList();
  private static final List<Cidr> MULTICAST = Stream.of("224.0.0.0/4", "255.255.255.255/32", "ff00::/8")
      .map(Cidr::parse).toList();

  private final AllowedNetworks allowed;
  private final boolean allowFileSources;
  private final Set<Integer> ownPorts;
  private final Resolver resolver;

  public SourcePolicy(AllowedNetworks allowed, boolean allowFileSources, Set<Integer> ownPorts, Resolver resolver) {
    this.allowed = allowed;
    this.allowFileSources = allowFileSources;
    this.ownPorts = Set.copyOf(ownPorts);
    this.resolver = resolver;
  }

  /** {@code gtv.camera.allowed-networks}, {@code gtv.camera.allow-file-sources} and the node's ports. */
  public static SourcePolicy from(Config root) {
    Config camera = root.getConfig("gtv.camera");
    Set<Integer> ports = new HashSet<>();
    addPort(ports, root, "gtv.http.port");
    addPort(ports, root, "pekko.management.http.port");
    addPort(ports, root, "pekko.remote.artery.canonical.port");
    addPort(ports, root, "pekko.remote.artery.bind.port");
    return new SourcePolicy(AllowedNetworks.parse(camera.getString("allowed-networks")),
        camera.getBoolean("allow-file-sources"), ports, InetAddress::getAllByName);
  }

  private static void addPort(Set<Integer> ports, Config root, String key) {
    if (!root.hasPath(key)) return;
    try {
      int port = Integer.parseInt(root.getString(key).strip());
      if (port > 0) ports.add(port);
    } catch (NumberFormatException e) {
      // An empty bind port means "the canonical port", which is already in the set.
    }
  }

  /**
   * The same policy with one more port of this node refused on its own addresses: a port the node opens
   * after the configuration was read (the camera source proxy's ephemeral port).
   */
  public SourcePolicy withOwnPort(int port) {
    Set<Integer> ports = new HashSet<>(ownPorts);
    ports.add(port);
    return new SourcePolicy(allowed, allowFileSources, ports, resolver);
  }

  public boolean allowFileSources() {
    return allowFileSources;
  }

  /**
   * The checked source: the URL's host resolved, every address passed. Throws with a reason that names
   * the rule, never what a server said. A name that does not resolve is refused too (nothing to check).
   */
  public CheckedSource check(URI uri, SourceKind kind) throws SourceRefusedException {
    if (kind == SourceKind.FILE) {
      if (!allowFileSources) {
        throw new SourceRefusedException("file sources are switched off on this node (gtv.camera.allow-file-sources)",
            "file sources are switched off");
      }
      return new CheckedSource(uri, null, null, -1);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) throw new SourceRefusedException("sourceUrl needs a host", "no host");
    String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    String lower = name.toLowerCase(Locale.ROOT);
    while (lower.endsWith(".")) lower = lower.substring(0, lower.length() - 1);
    if (METADATA_NAMES.contains(lower)) {
      throw refused(name, null, null, METADATA_REASON);
    }
    int port = port(uri);
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(name);
    } catch (UnknownHostException e) {
      throw new SourceRefusedException("host '" + name + "' does not resolve", "a host that does not resolve", true);
    }
    if (addresses.length == 0) {
      throw new SourceRefusedException("host '" + name + "' does not resolve", "a host that does not resolve", true);
    }
    boolean nameAllowed = !Cidr.looksLikeLiteral(name) && allowed.allowsName(name);
    for (InetAddress address : addresses) {
      String why = alwaysRefused(address, port);
      if (why != null) throw refused(name, address, null, why);
      // An IPv6 address that carries an IPv4 one reaches that IPv4 (through a translator or relay): the
      // IPv4 decides, by the same rules.
      List<EmbeddedIpv4.Embedded> embedded = EmbeddedIpv4.of(address);
      // Metadata first: where several readings fit (local-use NAT64), the worst one is the reason.
      for (EmbeddedIpv4.Embedded inner : embedded) {
        if (isMetadata(inner.address())) throw refused(name, address, inner, METADATA_REASON);
      }
      for (EmbeddedIpv4.Embedded inner : embedded) {
        why = alwaysRefused(inner.address(), port);
        if (why != null) throw refused(name, address, inner, why);
      }
      if (nameAllowed) continue;
      if (embedded.isEmpty() && !allowed.allowsAddress(address)) {
        throw refused(name, address, null, "not in gtv.camera.allowed-networks");
      }
      for (EmbeddedIpv4.Embedded inner : embedded) {
        if (!allowed.allowsAddress(inner.address())) throw refused(name, address, inner, "not in gtv.camera.allowed-networks");
      }
    }
    return new CheckedSource(uri, name, addresses[0], port);
  }

  private static SourceRefusedException refused(String host, InetAddress address, EmbeddedIpv4.Embedded inner, String why) {
    List<String> notes = new ArrayList<>();
    if (address != null && !address.getHostAddress().equalsIgnoreCase(host)) notes.add(address.getHostAddress());
    if (inner != null) notes.add(inner.address().getHostAddress() + " embedded, " + inner.form());
    String where = notes.isEmpty() ? "host '" + host + "'" : "host '" + host + "' (" + String.join(": ", notes) + ")";
    return new SourceRefusedException(where + " is refused: " + why, why);
  }

  /** Why {@code address} is refused whatever the allowed list says, or null. */
  String alwaysRefused(InetAddress address, int port) {
    if (isMetadata(address)) return METADATA_REASON;
    if (UNSPECIFIED.stream().anyMatch(c -> c.contains(address)) || address.isAnyLocalAddress()) {
      return "an unspecified address (0.0.0.0 or ::)";
    }
    if (LINK_LOCAL.stream().anyMatch(c -> c.contains(address)) || address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (MULTICAST.stream().anyMatch(c -> c.contains(address)) || address.isMulticastAddress()) {
      return "a multicast or broadcast address";
    }
    if (ownPorts.contains(port) && isOwnAddress(address)) return "this node's own port " + port;
    return null;
  }

  private static boolean isMetadata(InetAddress address) {
    return METADATA.stream().anyMatch(c -> c.contains(address));
  }

  private static boolean isOwnAddress(InetAddress address) {
    if (address.isLoopbackAddress()) return true;
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      // Cannot tell: treat it as ours, refusing a camera is the safe side.
      return true;
    }
  }

  /** The URI's port, or its scheme's default. */
  public static int port(URI uri) {
    if (uri.getPort() != -1) return uri.getPort();
    return switch (uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT)) {
      case "http" -> 80;
      case "https" -> 443;
      case "rtsp" -> 554;
      case "rtsps" -> 322;
      default -> -1;
    };
  }
}
