package gtvision.camera.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The start line and header fields of an HTTP/1.x message, as the source proxy reads them: up to the
 * blank line and no further (what follows is relayed as it is), at most {@code maxBytes}.
 */
record HttpHead(String startLine, List<Field> fields) {

  record Field(String name, String value) {}

  /** A head that cannot be read: too large or not HTTP. */
  static final class BadHead extends IOException {
    BadHead(String message) {
      super(message, null);
    }
  }

  HttpHead {
    fields = List.copyOf(fields);
  }

  /** The head at the start of {@code in}, or null when the stream ends before its first byte. */
  static HttpHead read(InputStream in, int maxBytes) throws IOException {
    byte[] line = new byte[Math.min(maxBytes, 8192)];
    int total = 0;
    String start = null;
    List<Field> fields = new ArrayList<>();
    while (true) {
      int length = 0;
      while (true) {
        int b = in.read();
        if (b < 0) {
          if (total == 0 && length == 0) return null;
          throw new BadHead("the message ended inside its head");
        }
        if (++total > maxBytes) throw new BadHead("head larger than " + maxBytes + " bytes");
        if (b == '\n') break;
        if (length == line.length) line = Arrays.copyOf(line, Math.min(maxBytes, line.length * 2));
        line[length++] = (byte) b;
      }
      if (length > 0 && line[length - 1] == '\r') length--;
      String text = new String(line, 0, length, StandardCharsets.ISO_8859_1);
      if (start == null) {
        if (text.isEmpty()) throw new BadHead("no start line");
        start = text;
        continue;
      }
      if (text.isEmpty()) return new HttpHead(start, fields);
      // Obsolete line folding (RFC 9112 5.2): refused rather than guessed at.
      if (text.charAt(0) == ' ' || text.charAt(0) == '\t') throw new BadHead("folded header line");
      int colon = text.indexOf(':');
      if (colon <= 0) throw new BadHead("header line without a name");
      String name = text.substring(0, colon);
      if (!name.equals(name.strip())) throw new BadHead("white space in a header name");
      fields.add(new Field(name, text.substring(colon + 1).strip()));
    }
  }

  Optional<String> field(String name) {
    return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).findFirst();
  }

  boolean has(String name) {
    return field(name).isPresent();
  }

  /**
   * The head without hop-by-hop fields (those of this one connection: {@code Connection} and every field it
   * names, {@code Keep-Alive}, the proxy's own fields, {@code Upgrade}, {@code TE}), and without
   * {@code also}, for the next hop.
   */
  HttpHead forNextHop(String newStartLine, Set<String> also) {
    Set<String> drop = new HashSet<>(Set.of("connection", "keep-alive", "proxy-connection", "proxy-authorization",
        "proxy-authenticate", "upgrade", "te"));
    for (String s : also) drop.add(s.toLowerCase(Locale.ROOT));
    fields.stream().filter(f -> f.name().equalsIgnoreCase("connection"))
        .forEach(f -> {
          for (String token : f.value().split(",")) drop.add(token.strip().toLowerCase(Locale.ROOT));
        });
    List<Field> kept = fields.stream().filter(f -> !drop.contains(f.name().toLowerCase(Locale.ROOT))).toList();
    return new HttpHead(newStartLine, kept);
  }

  HttpHead with(String name, String value) {
    List<Field> more = new ArrayList<>(fields);
    more.add(new Field(name, value));
    return new HttpHead(startLine, more);
  }

  void write(OutputStream out) throws IOException {
    StringBuilder s = new StringBuilder(startLine).append("\r\n");
    for (Field f : fields) s.append(f.name()).append(": ").append(f.value()).append("\r\n");
    s.append("\r\n");
    out.write(s.toString().getBytes(StandardCharsets.ISO_8859_1));
  }
}
