package gtvision.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Models and test images live in ../shared (never copied into the repository). */
final class SharedData {
  private SharedData() {}

  static Path dir() {
    String env = System.getenv("GTV_SHARED_DIR");
    Path p = env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.dir")).resolve("../shared");
    return p.toAbsolutePath().normalize();
  }

  static Path yolox() {
    return dir().resolve("models/yolox_nano.onnx");
  }

  static Path ocrDir() {
    return dir().resolve("models/ocr");
  }

  static Path image(String name) {
    return dir().resolve("testdata/images").resolve(name);
  }

  static byte[] imageBytes(String name) {
    try {
      return Files.readAllBytes(image(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
