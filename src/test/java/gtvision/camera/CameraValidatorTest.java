package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of a camera's configuration, and the field each rejection names. */
class CameraValidatorTest {
  private static final List<List<Double>> TRIANGLE = List.of(List.of(0.0, 0.0), List.of(1.0, 0.0), List.of(0.5, 1.0));

  @Test
  void aMinimalSpecGetsTheDefaults() {
    CameraValidator.Result result = CameraValidator.validate(spec("  Gate  ", "rtsp://10.0.0.5/live", "rtsp", null));

    assertNull(result.problem());
    CameraConfig config = result.config();
    assertEquals("Gate", config.name(), "the name is stripped");
    assertEquals(SourceKind.RTSP, config.sourceKind());
    assertEquals(CameraValidator.DEFAULT_FPS, config.fps());
    assertNull(config.location());
    assertEquals(List.of(), config.tags());
    assertEquals(List.of(), config.motionMask());
    assertEquals(AnalysisOptions.DEFAULT, config.analysis());
  }

  @Test
  void aFullSpecIsKeptAsSentWithTheSourcePasswordInThePersistedUrl() {
    CameraSpec spec = new CameraSpec("Yard", "http://user:pw@cam.local/snap.jpg", "snapshot", 30.0,
        new Location(-90, 180), List.of("yard"), true, List.of(TRIANGLE),
        new AnalysisOptions(List.of("car", "person"), 0.4, false));

    CameraConfig config = CameraValidator.validate(spec).config();

    assertEquals("http://user:pw@cam.local/snap.jpg", config.sourceUrl(), "streams need the credentials");
    assertEquals(SourceKind.SNAPSHOT, config.sourceKind());
    assertEquals(30.0, config.fps());
    assertEquals(new Location(-90, 180), config.location());
    assertEquals(List.of("yard"), config.tags());
    assertEquals(List.of(TRIANGLE), config.motionMask());
    assertEquals(List.of("car", "person"), config.analysis().classes());
    assertEquals(0.4, config.analysis().minConfidence());
    assertFalse(config.analysis().detectPlates());
  }

  @Test
  void everySourceKindAcceptsItsOwnSchemes() {
    assertTrue(valid(spec("c", "rtsps://h/s", "rtsp", 1.0)));
    assertTrue(valid(spec("c", "https://h/index.m3u8", "hls", 1.0)));
    assertTrue(valid(spec("c", "http://h/video.mjpg", "mjpeg", 1.0)));
    assertTrue(valid(spec("c", "file:///videos/a.mp4", "file", 1.0)));
    assertTrue(valid(spec("c", "rtsp://h/s", "rtsp", CameraValidator.MIN_FPS)));
  }

  static Stream<Arguments> invalidSpecs() {
    String longUrl = "rtsp://h/" + "a".repeat(CameraValidator.MAX_URL_LENGTH);
    List<List<Double>> tooManyPoints = Collections.nCopies(CameraValidator.MAX_MASK_POINTS + 1, List.of(0.5, 0.5));
    return Stream.of(
        Arguments.of("no body", null, "body"),
        Arguments.of("no name", spec(null, "rtsp://h/s", "rtsp", 1.0), "name"),
        Arguments.of("blank name", spec("   ", "rtsp://h/s", "rtsp", 1.0), "name"),
        Arguments.of("long name", spec("n".repeat(CameraValidator.MAX_NAME_LENGTH + 1), "rtsp://h/s", "rtsp", 1.0), "name"),
        Arguments.of("no source kind", spec("c", "rtsp://h/s", null, 1.0), "sourceKind"),
        Arguments.of("unknown source kind", spec("c", "rtsp://h/s", "webrtc", 1.0), "sourceKind"),
        Arguments.of("no url", spec("c", null, "rtsp", 1.0), "sourceUrl"),
        Arguments.of("blank url", spec("c", " ", "rtsp", 1.0), "sourceUrl"),
        Arguments.of("long url", spec("c", longUrl, "rtsp", 1.0), "sourceUrl"),
        Arguments.of("unparsable url", spec("c", "rtsp://h/a b", "rtsp", 1.0), "sourceUrl"),
        Arguments.of("scheme of another kind", spec("c", "http://h/s", "rtsp", 1.0), "sourceUrl"),
        Arguments.of("file url without a path", spec("c", "file://videos", "file", 1.0), "sourceUrl"),
        Arguments.of("network url without a host", spec("c", "rtsp:///s", "rtsp", 1.0), "sourceUrl"),
        Arguments.of("fps too low", spec("c", "rtsp://h/s", "rtsp", CameraValidator.MIN_FPS / 2), "fps"),
        Arguments.of("fps too high", spec("c", "rtsp://h/s", "rtsp", CameraValidator.MAX_FPS + 1), "fps"),
        Arguments.of("fps not a number", spec("c", "rtsp://h/s", "rtsp", Double.NaN), "fps"),
        Arguments.of("latitude", located(new Location(90.5, 0)), "location.lat"),
        Arguments.of("longitude", located(new Location(0, -180.5)), "location.lon"),
        Arguments.of("too many tags", tagged(Collections.nCopies(CameraValidator.MAX_TAGS + 1, "t")), "tags"),
        Arguments.of("null tag", tagged(Arrays.asList("ok", null)), "tags"),
        Arguments.of("blank tag", tagged(List.of(" ")), "tags"),
        Arguments.of("long tag", tagged(List.of("t".repeat(CameraValidator.MAX_TAG_LENGTH + 1))), "tags"),
        Arguments.of("too many mask polygons", masked(Collections.nCopies(CameraValidator.MAX_MASK_POLYGONS + 1, TRIANGLE)),
            "motionMask"),
        Arguments.of("null polygon", masked(Arrays.asList(TRIANGLE, null)), "motionMask"),
        Arguments.of("polygon of two points", masked(List.of(TRIANGLE.subList(0, 2))), "motionMask"),
        Arguments.of("polygon of too many points", masked(List.of(tooManyPoints)), "motionMask"),
        Arguments.of("point of three numbers", masked(List.of(List.of(List.of(0.0, 0.0, 0.0), List.of(1.0, 0.0),
            List.of(0.5, 1.0)))), "motionMask"),
        Arguments.of("point with a null", masked(List.of(List.of(Arrays.asList(0.0, null), List.of(1.0, 0.0),
            List.of(0.5, 1.0)))), "motionMask"),
        Arguments.of("point outside the picture", masked(List.of(List.of(List.of(0.0, 1.5), List.of(1.0, 0.0),
            List.of(0.5, 1.0)))), "motionMask"),
        Arguments.of("too many classes", analysed(new AnalysisOptions(
            Collections.nCopies(CameraValidator.MAX_CLASSES + 1, "car"), null, null)), "analysis.classes"),
        Arguments.of("blank class", analysed(new AnalysisOptions(List.of(" "), null, null)), "analysis.classes"),
        Arguments.of("long class", analysed(new AnalysisOptions(List.of("c".repeat(CameraValidator.MAX_TAG_LENGTH + 1)),
            null, null)), "analysis.classes"),
        Arguments.of("negative min confidence", analysed(new AnalysisOptions(List.of(), -0.1, null)),
            "analysis.minConfidence"),
        Arguments.of("min confidence above one", analysed(new AnalysisOptions(List.of(), 1.1, null)),
            "analysis.minConfidence"));
  }

  @ParameterizedTest(name = "{0} is rejected on {2}")
  @MethodSource("invalidSpecs")
  void anInvalidSpecIsRejectedNamingTheField(String rule, CameraSpec spec, String field) {
    CameraValidator.Result result = CameraValidator.validate(spec);

    assertNull(result.config(), rule);
    assertEquals(field, result.problem().field(), rule);
  }

  @Test
  void aSourceUrlThatDoesNotParseIsReportedWithoutRepeatingThePassword() {
    CameraValidator.Problem problem =
        CameraValidator.validate(spec("c", "rtsp://admin:hunter2@h/a b", "rtsp", 1.0)).problem();

    assertEquals("sourceUrl", problem.field());
    assertFalse(problem.message().contains("hunter2"), problem.message());
  }

  @Test
  void idsAreLowerCaseLettersDigitsDashesAndUnderscoresUpTo64() {
    assertTrue(CameraValidator.validateId("cam-01_a").isEmpty());
    assertTrue(CameraValidator.validateId("a".repeat(64)).isEmpty());
    for (String bad : Arrays.asList(null, "", "Cam", "-cam", "_cam", "cam 1", "cam/1", "a".repeat(65))) {
      assertEquals("id", CameraValidator.validateId(bad).orElseThrow(() -> new AssertionError(bad)).field(), bad);
    }
  }

  private static boolean valid(CameraSpec spec) {
    return CameraValidator.validate(spec).problem() == null;
  }

  private static CameraSpec spec(String name, String url, String kind, Double fps) {
    return new CameraSpec(name, url, kind, fps, null, null, null);
  }

  private static CameraSpec located(Location location) {
    return new CameraSpec("c", "rtsp://h/s", "rtsp", 1.0, location, null, null);
  }

  private static CameraSpec tagged(List<String> tags) {
    return new CameraSpec("c", "rtsp://h/s", "rtsp", 1.0, null, tags, null);
  }

  private static CameraSpec masked(List<List<List<Double>>> mask) {
    return new CameraSpec("c", "rtsp://h/s", "rtsp", 1.0, null, null, null, mask);
  }

  private static CameraSpec analysed(AnalysisOptions analysis) {
    return new CameraSpec("c", "rtsp://h/s", "rtsp", 1.0, null, null, null, null, analysis);
  }
}
