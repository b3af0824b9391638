package gtvision.inference;

import ai.djl.training.util.DownloadUtils;
import ai.djl.util.Progress;
import gtvision.SourceUrls;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model files named by URL and sha256, fetched once into a cache directory and checked before use.
 *
 * <p>DJL's {@link DownloadUtils} does the transfer (redirects, gzip, progress); DJL has no sha256
 * check of its own, so the file is hashed with the JDK's {@link MessageDigest}. A download goes to a
 * temporary file beside its target, is verified, then moved into place, so a reader never sees a
 * partial or unverified model. Blocks: call it off the actors (the workers' factories run on the
 * blocking dispatcher).
 */
public final class ModelCache {
  private static final Logger log = LoggerFactory.getLogger(ModelCache.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * One file: where to fetch it, what it must hash to, and its name in the cache.
   *
   * @param setting the configuration keys' stem ({@code gtv.inference.gpu.model} for {@code
   *     model-url} and {@code model-sha256}), for error messages
   */
  public record Source(String fileName, URI url, String sha256, String setting) {
    public Source {
      sha256 = sha256.trim().toLowerCase(Locale.ROOT);
      if (!SHA256.matcher(sha256).matches()) {
        throw new IllegalArgumentException(
            setting + "-url is set, so " + setting + "-sha256 must be 64 hex digits, not '" + sha256 + "'");
      }
      String scheme = url.getScheme();
      if (scheme == null || !Set.of("http", "https", "file").contains(scheme.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(setting + "-url must be an http, https or file URL, not '" + url + "'");
      }
    }
  }

  private final Path dir;
  private final Duration timeout;

  /** @param timeout connect timeout, and the longest wait for the next bytes of a download */
  public ModelCache(Path dir, Duration timeout) {
    this.dir = dir.toAbsolutePath().normalize();
    this.timeout = timeout;
  }

  public Path dir() {
    return dir;
  }

  /** Where {@code source} lies once fetched. */
  public Path location(Source source) {
    return dir.resolve(source.fileName());
  }

  /**
   * The cached file of {@code source}, downloaded first when it is missing or does not match its
   * sha256.
   *
   * @param progress told what is happening ("downloading ... 40%"), from this thread
   * @throws ModelLoadException naming the URL, or the checksum expected and found
   */
  public Path fetch(Source source, Consumer<String> progress) {
    Path target = location(source);
    try {
      if (Files.isRegularFile(target)) {
        String found = sha256(target);
        if (found.equals(source.sha256())) return target;
        log.warn("cached model {} has sha256 {}, expected {}: downloading it again", target, found, source.sha256());
      }
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new ModelLoadException("cannot use model cache " + dir + ": " + e.getMessage(), e);
    }
    // Not created here: DJL's download skips a target that already exists.
    // A signed or authenticated URL carries a credential: logs and /health get it masked.
    String shown = SourceUrls.mask(source.url().toString());
    Path part = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".part");
    try {
      progress.accept("downloading " + shown);
      log.info("downloading {} into {}", shown, target);
      try {
        DownloadUtils.download(withTimeouts(source.url()), part, new Reporter(shown, progress));
      } catch (IOException | RuntimeException e) {
        throw new ModelLoadException(
            "cannot download " + shown + " (" + source.setting() + "-url): " + SourceUrls.mask(e.toString()));
      }
      String found = sha256(part);
      if (!found.equals(source.sha256())) {
        throw new ModelLoadException(
            "checksum mismatch for " + shown + ": expected sha256 " + source.sha256() + ", found "
                + found + " (" + source.setting() + "-sha256 names the expected one)");
      }
      try {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      }
      log.info("model {} verified (sha256 {})", target, found);
      return target;
    } catch (IOException e) {
      throw new ModelLoadException("cannot store model " + target + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(part);
      } catch (IOException e) {
        log.warn("cannot remove partial download {}", part, e);
      }
    }
  }

  /** Hex sha256 of a file's bytes. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * DJL opens the URL with the JDK's defaults, which wait forever on a network that drops packets;
   * this handler gives every connection (redirects included) this cache's timeouts.
   */
  private URL withTimeouts(URI uri) throws MalformedURLException {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    URLStreamHandler handler =
        new URLStreamHandler() {
          @Override
          protected URLConnection openConnection(URL u) throws IOException {
            URLConnection c = URI.create(u.toExternalForm()).toURL().openConnection();
            c.setConnectTimeout(millis);
            c.setReadTimeout(millis);
            return c;
          }
        };
    return new URL(null, uri.toString(), handler);
  }

  /** DJL's progress callbacks as a detail line, at most once per 10 %. */
  private static final class Reporter implements Progress {
    private final String url;
    private final Consumer<String> out;
    private long max;
    private long done;
    private long lastTenth = -1;

    Reporter(String url, Consumer<String> out) {
      this.url = url;
      this.out = out;
    }

    @Override
    public void reset(String message, long max, String trailingMessage) {
      this.max = max;
      this.done = 0;
    }

    @Override
    public void start(long initialProgress) {
      done = initialProgress;
    }

    @Override
    public void end() {}

    @Override
    public void increment(long increment) {
      update(done + increment, null);
    }

    @Override
    public void update(long progress, String message) {
      done = progress;
      if (max <= 0) return;
      long tenth = Math.min(10, done * 10 / max);
      if (tenth != lastTenth) {
        lastTenth = tenth;
        out.accept("downloading " + url + " " + tenth * 10 + "% of " + max / 1024 + " KiB");
      }
    }
  }
}
