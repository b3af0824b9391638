package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bounds on what crosses the wire for plates: how many crops, how many pixels, how many bytes. */
class PlateCropsTest {
  static final byte[] DOG = SharedData.imageBytes("dog.jpg"); // 768 x 576
  static final Timings NO_TIME = new Timings(0, 0, 0, 0);

  static DetectionResult result(Detection... detections) {
    return new DetectionResult(List.of(detections), "gpu", "test", 768, 576, 1, NO_TIME);
  }

  static Detection car(double confidence, double x1, double y1, double x2, double y2) {
    return new Detection("car", confidence, new BoundingBox(x1, y1, x2, y2));
  }

  static ImageHeader header(byte[] jpeg) {
    return ImageHeader.check(jpeg, Long.MAX_VALUE);
  }

  @Test
  void onlyVehiclesLargeEnoughToReadAreCutMostConfidentFirst() {
    DetectionResult r = result(
        new Detection("dog", 0.9, new BoundingBox(133, 207, 326, 543)),
        car(0.6, 466, 78, 692, 171),
        car(0.8, 10, 10, 200, 100),
        car(0.95, 300, 300, 310, 310)); // 10 px: no plate to read there
    PlateCrops crops = PlateCrops.cut(DOG, r, 8, 1_000_000, 90, 2_000_000, 50_000_000);
    assertEquals(List.of(2, 1), crops.detections());
    assertEquals(190, header(crops.crops().get(0)).width());
    assertEquals(90, header(crops.crops().get(0)).height());
    assertEquals(226, header(crops.crops().get(1)).width());
  }

  @Test
  void atMostMaxCropsAreCutAndNoneWhenItIsZero() {
    DetectionResult r = result(car(0.6, 466, 78, 692, 171), car(0.8, 10, 10, 200, 100), car(0.7, 0, 300, 300, 500));
    assertEquals(List.of(1, 2), PlateCrops.cut(DOG, r, 2, 1_000_000, 90, 2_000_000, 50_000_000).detections());
    assertEquals(PlateCrops.NONE, PlateCrops.cut(DOG, r, 0, 1_000_000, 90, 2_000_000, 50_000_000));
  }

  @Test
  void aLargeCropIsScaledDownToTheirPixelCap() {
    PlateCrops crops = PlateCrops.cut(DOG, result(car(0.9, 0, 0, 768, 576)), 8, 100_000, 90, 2_000_000, 50_000_000);
    ImageHeader h = header(crops.crops().get(0));
    assertTrue((long) h.width() * h.height() <= 100_000, h.width() + "x" + h.height());
    assertEquals(768.0 / 576, (double) h.width() / h.height(), 0.01);
  }

  @Test
  void aCropThatWouldTakeTheMessageOverItsLimitIsLeftOut() {
    DetectionResult r = result(car(0.9, 0, 0, 768, 576), car(0.8, 466, 78, 692, 171));
    long whole = PlateCrops.cut(DOG, result(car(0.9, 0, 0, 768, 576)), 8, 1_000_000, 90, 2_000_000, 50_000_000).bytes();
    PlateCrops crops = PlateCrops.cut(DOG, r, 8, 1_000_000, 90, whole - 1, 50_000_000);
    assertEquals(List.of(1), crops.detections());
    assertTrue(crops.bytes() < whole);
  }

  @Test
  void platesAreAttachedToTheVehiclesTheirCropsShow() {
    DetectionResult r = result(new Detection("person", 0.9, new BoundingBox(0, 0, 50, 50)),
        car(0.6, 466, 78, 692, 171), car(0.8, 10, 10, 200, 100));
    PlateCrops crops = PlateCrops.cut(DOG, r, 8, 1_000_000, 90, 2_000_000, 50_000_000);
    Plate plate = new Plate("BRA2E19", 0.93);
    DetectionResult attached = crops.attach(r, List.of(Optional.empty(), Optional.of(plate)), 5);
    assertEquals(List.of(Optional.empty(), Optional.of(plate), Optional.empty()),
        attached.detections().stream().map(Detection::plate).toList());
    assertEquals(r.detections().get(1).box(), attached.detections().get(1).box());
    assertEquals(5, attached.timings().postprocessMs());
    assertThrows(IllegalStateException.class, () -> crops.attach(r, List.of(Optional.of(plate)), 0));
  }

  @Test
  void wireSettingsRefuseANegativeCropCountAndCropsTooSmallToRead() {
    var defaults = ConfigFactory.load();
    FrameWire.Settings s = FrameWire.Settings.from(defaults);
    assertEquals(8, s.maxCrops());
    assertEquals(262_144, s.cropMaxPixels());
    var negative = assertThrows(IllegalArgumentException.class, () -> FrameWire.Settings.from(
        ConfigFactory.parseString("gtv.inference.wire.max-crops = -1").withFallback(defaults)));
    assertTrue(negative.getMessage().contains("max-crops"), negative.getMessage());
    var tiny = assertThrows(IllegalArgumentException.class, () -> FrameWire.Settings.from(
        ConfigFactory.parseString("gtv.inference.wire.crop-max-pixels = 100").withFallback(defaults)));
    assertTrue(tiny.getMessage().contains("crop-max-pixels"), tiny.getMessage());
  }
}
