package gtvision.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceSweeperTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

  @TempDir Path root;

  private EvidenceSettings settings() {
    return new EvidenceSettings(EvidenceSettings.StoreKind.FILESYSTEM, root, "frames/", "recordings/", 7, 30,
        Duration.ofHours(1), Duration.ofSeconds(5),
        new EvidenceSettings.S3("", "b", "us-east-1", true, "", ""));
  }

  private Path file(String key, Duration age) throws Exception {
    Path path = root.resolve(key);
    Files.createDirectories(path.getParent());
    Files.write(path, new byte[] {1, 2, 3});
    Files.setLastModifiedTime(path, FileTime.from(NOW.minus(age)));
    return path;
  }

  @Test
  void deletesFramesAfterSevenDaysAndRecordingsAfterThirty() throws Exception {
    Path oldFrame = file("frames/cam-1/2026/11/10/08/1.jpg", Duration.ofDays(8));
    Path newFrame = file("frames/cam-1/2026/11/23/08/2.jpg", Duration.ofDays(6));
    Path oldRecording = file("recordings/cam_1/2026-10-01_00-00-00.mp4", Duration.ofDays(31));
    Path keptRecording = file("recordings/cam_1/2026-11-01_00-00-00.mp4", Duration.ofDays(10));
    Path elsewhere = file("other/keep.txt", Duration.ofDays(100));

    long deleted = new EvidenceSweeper(root, settings(), Clock.fixed(NOW, ZoneOffset.UTC)).sweep();

    assertEquals(2, deleted);
    assertFalse(Files.exists(oldFrame));
    assertFalse(Files.exists(oldFrame.getParent()), "emptied hour directories go too");
    assertTrue(Files.exists(newFrame));
    assertFalse(Files.exists(oldRecording));
    assertTrue(Files.exists(keptRecording));
    assertTrue(Files.exists(elsewhere), "only the store's prefixes are swept");
    assertTrue(Files.isDirectory(root.resolve("frames")), "the prefix directory itself stays");
  }

  @Test
  void fileStoreRoundTripsAndRefusesKeysOutsideItsRoot() throws Exception {
    var executor = Executors.newSingleThreadExecutor();
    try {
      FileEvidenceStore store = new FileEvidenceStore(root, executor);
      String key = EvidenceStore.frameKey("frames/", "cam-1", 42, Instant.parse("2026-11-24T09:15:00.123Z"));
      assertEquals("frames/cam-1/2026/11/24/09/42.jpg", key);
      store.put(key, new byte[] {(byte) 0xFF, (byte) 0xD8}).toCompletableFuture().get();
      assertEquals(2, store.get(key).toCompletableFuture().get().orElseThrow().length);
      assertTrue(store.get("frames/cam-1/none.jpg").toCompletableFuture().get().isEmpty());
      assertTrue(store.get("../etc/passwd").toCompletableFuture().handle((v, e) -> e != null).get());
    } finally {
      executor.shutdown();
    }
  }
}
