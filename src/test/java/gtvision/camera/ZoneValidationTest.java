package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A camera's zones and lines: what is accepted, and the exact field each rejection names. */
class ZoneValidationTest {
  private static final List<List<Double>> SQUARE =
      List.of(List.of(0.0, 0.0), List.of(0.5, 0.0), List.of(0.5, 0.5), List.of(0.0, 0.5));

  private static CameraSpec spec(List<Zone> zones, List<CountLine> lines) {
    return new CameraSpec("Gate", "rtsp://10.0.0.5/live", "rtsp", null, null, null, null, null, null, zones, lines);
  }

  private static Zone zone(String name, List<List<Double>> polygon) {
    return new Zone(name, polygon, List.of(), null);
  }

  private static CountLine line(String name, List<Double> from, List<Double> to) {
    return new CountLine(name, from, to, List.of());
  }

  @Test
  void zonesAndLinesAreKeptAsSent() {
    Zone lot = new Zone("lot_1", SQUARE, List.of("car"), 45.0);
    CountLine gate = new CountLine("gate-in", List.of(0.0, 0.5), List.of(1.0, 0.5), List.of("car", "person"));
    CameraValidator.Result result = CameraValidator.validate(spec(List.of(lot, zone("Door", SQUARE)), List.of(gate)));
    assertNull(result.problem());
    assertEquals(List.of(lot, zone("Door", SQUARE)), result.config().zones());
    assertEquals(List.of(gate), result.config().lines());
  }

  @Test
  void noZonesOrLinesIsNone() {
    CameraConfig config = CameraValidator.validate(spec(null, null)).config();
    assertEquals(List.of(), config.zones());
    assertEquals(List.of(), config.lines());
  }

  static Stream<Arguments> badZones() {
    List<Double> nullY = Arrays.asList(0.2, null);
    List<List<Double>> withNullPoint = new ArrayList<>(SQUARE);
    withNullPoint.add(null);
    return Stream.of(
        Arguments.of(List.of(zone("ok", SQUARE), zone("bad name", SQUARE)), "zones[1].name"),
        Arguments.of(List.of(zone(null, SQUARE)), "zones[0].name"),
        Arguments.of(List.of(zone("a", SQUARE), zone("a", SQUARE)), "zones[1].name"),
        Arguments.of(List.of(zone("a", SQUARE.subList(0, 2))), "zones[0].polygon"),
        Arguments.of(List.of(zone("a", List.of(List.of(0.0, 0.0), List.of(1.5, 0.0), List.of(0.5, 1.0)))), "zones[0].polygon[1]"),
        Arguments.of(List.of(zone("a", List.of(List.of(0.0, 0.0), List.of(Double.NaN, 0.0), List.of(0.5, 1.0)))), "zones[0].polygon[1]"),
        Arguments.of(List.of(zone("a", List.of(List.of(0.0, 0.0), nullY, List.of(0.5, 1.0)))), "zones[0].polygon[1]"),
        Arguments.of(List.of(zone("a", List.of(List.of(0.0, 0.0), List.of(0.1), List.of(0.5, 1.0)))), "zones[0].polygon[1]"),
        Arguments.of(List.of(zone("a", withNullPoint)), "zones[0].polygon[4]"),
        Arguments.of(List.of(new Zone("a", SQUARE, Arrays.asList("car", ""), null)), "zones[0].classes"),
        Arguments.of(List.of(new Zone("a", SQUARE, List.of(), 0.0)), "zones[0].loiterAfter"),
        Arguments.of(List.of(new Zone("a", SQUARE, List.of(), Double.POSITIVE_INFINITY)), "zones[0].loiterAfter"),
        Arguments.of(Arrays.asList(zone("a", SQUARE), null), "zones[1]"));
  }

  @ParameterizedTest
  @MethodSource("badZones")
  void aBadZoneIsRefusedNamingItsField(List<Zone> zones, String field) {
    assertEquals(field, CameraValidator.validate(spec(zones, null)).problem().field());
  }

  static Stream<Arguments> badLines() {
    List<Double> a = List.of(0.1, 0.1);
    List<Double> b = List.of(0.9, 0.9);
    return Stream.of(
        Arguments.of(List.of(line("a", a, b), line("a", b, a)), "lines[1].name"),
        Arguments.of(List.of(line("x/y", a, b)), "lines[0].name"),
        Arguments.of(List.of(line("a", null, b)), "lines[0].from"),
        Arguments.of(List.of(line("a", a, List.of(0.9, -0.1))), "lines[0].to"),
        Arguments.of(List.of(line("a", a, List.of(0.9))), "lines[0].to"),
        Arguments.of(List.of(line("a", a, List.of(0.1, 0.1))), "lines[0].to"),
        Arguments.of(List.of(new CountLine("a", a, b, Arrays.asList((String) null))), "lines[0].classes"));
  }

  @ParameterizedTest
  @MethodSource("badLines")
  void aBadLineIsRefusedNamingItsField(List<CountLine> lines, String field) {
    assertEquals(field, CameraValidator.validate(spec(null, lines)).problem().field());
  }

  @Test
  void tooManyZonesAreRefused() {
    List<Zone> zones = new ArrayList<>();
    for (int i = 0; i <= CameraValidator.MAX_ZONES; i++) zones.add(zone("z" + i, SQUARE));
    assertEquals("zones", CameraValidator.validate(spec(zones, null)).problem().field());
  }
}
