package gtvision.evidence;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem store's lifecycle rules: files under the frames prefix older than the frames
 * retention, and under the recordings prefix older than the recordings retention (by modification
 * time), are deleted, then the directories they leave empty.
 */
public final class EvidenceSweeper {
  private static final Logger log = LoggerFactory.getLogger(EvidenceSweeper.class);
  private final Path root;
  private final EvidenceSettings settings;
  private final Clock clock;

  public EvidenceSweeper(Path root, EvidenceSettings settings, Clock clock) {
    this.root = root;
    this.settings = settings;
    this.clock = clock;
  }

  /** One pass; answers how many files it deleted. */
  public long sweep() {
    Instant now = clock.instant();
    long deleted = sweep(root.resolve(settings.framesPrefix()), now.minus(Duration.ofDays(settings.framesDays())))
        + sweep(root.resolve(settings.recordingsPrefix()), now.minus(Duration.ofDays(settings.recordingsDays())));
    if (deleted > 0) log.info("Evidence sweeper deleted {} expired files under {}", deleted, root);
    return deleted;
  }

  private long sweep(Path dir, Instant cutoff) {
    if (!Files.isDirectory(dir)) return 0;
    long[] deleted = {0};
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          if (attrs.isRegularFile() && attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(file);
            deleted[0]++;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          // A file deleted or written concurrently: the next pass sees it again.
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (!d.equals(dir)) {
            try (var entries = Files.list(d)) {
              if (entries.findAny().isEmpty()) Files.deleteIfExists(d);
            } catch (IOException ignored) {
              // Not empty any more, or gone: fine either way.
            }
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("Evidence sweep of {} stopped: {}", dir, e.toString());
    }
    return deleted[0];
  }
}
