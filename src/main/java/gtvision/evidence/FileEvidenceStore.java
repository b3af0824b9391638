package gtvision.evidence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;

/** Evidence under a local directory (embedded default); blocking file I/O runs on {@code blocking}. */
public final class FileEvidenceStore implements EvidenceStore {
  private final Path root;
  private final Executor blocking;

  public FileEvidenceStore(Path root, Executor blocking) {
    this.root = root.toAbsolutePath().normalize();
    this.blocking = blocking;
  }

  public Path root() {
    return root;
  }

  @Override
  public CompletionStage<Done> put(String key, byte[] jpeg) {
    return CompletableFuture.supplyAsync(() -> {
      Path target = resolve(key);
      try {
        Files.createDirectories(target.getParent());
        // Write then rename: a reader never sees half a file, the sweeper never deletes one being written.
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        Files.write(partial, jpeg);
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return Done.getInstance();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking);
  }

  @Override
  public CompletionStage<Optional<byte[]>> get(String key) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return Optional.of(Files.readAllBytes(resolve(key)));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking);
  }

  private Path resolve(String key) {
    if (!EvidenceStore.validKey(key)) throw new IllegalArgumentException("not an evidence key: " + key);
    Path path = root.resolve(key).normalize();
    if (!path.startsWith(root)) throw new IllegalArgumentException("not an evidence key: " + key);
    return path;
  }

  @Override
  public String toString() {
    return "filesystem " + root;
  }
}
