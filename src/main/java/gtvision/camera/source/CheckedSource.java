package gtvision.camera.source;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;

/**
 * A source that passed {@link SourcePolicy}: the address that was checked, to connect to instead of
 * resolving the name again (DNS may answer differently the second time). {@code address} is null for a
 * file source.
 */
public record CheckedSource(URI uri, String host, InetAddress address, int port) {

  /** The address as a URI host: IPv6 in brackets. */
  public String addressLiteral() {
    String ip = address.getHostAddress();
    if (address instanceof Inet6Address) {
      int zone = ip.indexOf('%');
      return "[" + (zone < 0 ? ip : ip.substring(0, zone)) + "]";
    }
    return ip;
  }

  /** The URI with its host replaced by the checked address; user info, path and query kept as given. */
  public String pinnedUrl() {
    StringBuilder s = new StringBuilder(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) s.append(uri.getRawUserInfo()).append('@');
    s.append(addressLiteral());
    if (uri.getPort() != -1) s.append(':').append(uri.getPort());
    if (uri.getRawPath() != null) s.append(uri.getRawPath());
    if (uri.getRawQuery() != null) s.append('?').append(uri.getRawQuery());
    return s.toString();
  }

  /** The Host header the server expects: the name the client gave, with the port when not the default. */
  public String hostHeader() {
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return uri.getPort() == -1 ? h : h + ":" + uri.getPort();
  }
}
