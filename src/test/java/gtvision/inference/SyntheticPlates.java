package gtvision.inference;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Renders Brazilian plates (Mercosul and the older grey format) with Java2D for OCR tests. */
final class SyntheticPlates {
  private SyntheticPlates() {}

  static final String[] FONTS = {"DejaVu Sans", "DejaVu Sans Mono", "DejaVu Serif", "DejaVu Sans Condensed"};
  private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  record Sample(String text, boolean mercosul, String font, double angleDeg, byte[] png) {}

  static String randomText(Random rnd, boolean mercosul) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3; i++) sb.append(LETTERS.charAt(rnd.nextInt(26)));
    sb.append(rnd.nextInt(10));
    sb.append(mercosul ? LETTERS.charAt(rnd.nextInt(26)) : (char) ('0' + rnd.nextInt(10)));
    sb.append(rnd.nextInt(10)).append(rnd.nextInt(10));
    return sb.toString();
  }

  /** A plate on the rear of a vehicle-coloured crop, rotated slightly, with sensor noise. */
  static Sample vehicleCrop(Random rnd, int index) {
    boolean mercosul = index % 2 == 0;
    String text = randomText(rnd, mercosul);
    String font = FONTS[index % FONTS.length];
    double angle = (rnd.nextDouble() * 2 - 1) * 4; // degrees
    BufferedImage plate = plate(text, mercosul, font);
    int w = 480;
    int h = 320;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    Color body = new Color(40 + rnd.nextInt(150), 40 + rnd.nextInt(150), 40 + rnd.nextInt(150));
    g.setPaint(new GradientPaint(0, 0, body.brighter(), 0, h, body.darker()));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(20, 20, 20));
    g.fillRoundRect(30, 40, w - 60, 90, 30, 30); // rear window
    g.setColor(new Color(180, 30, 30));
    g.fillRect(20, 160, 70, 30); // tail lights
    g.fillRect(w - 90, 160, 70, 30);
    int pw = 200;
    int ph = pw * plate.getHeight() / plate.getWidth();
    AffineTransform at = new AffineTransform();
    at.translate(w / 2.0, 230);
    at.rotate(Math.toRadians(angle));
    at.translate(-pw / 2.0, -ph / 2.0);
    at.scale((double) pw / plate.getWidth(), (double) ph / plate.getHeight());
    g.drawImage(plate, at, null);
    g.dispose();
    addNoise(img, rnd, 8);
    return new Sample(text, mercosul, font, angle, png(img));
  }

  /** The same kind of crop without any plate or text. */
  static byte[] plateless(Random rnd) {
    BufferedImage img = new BufferedImage(480, 320, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setPaint(new GradientPaint(0, 0, new Color(90, 110, 140), 0, 320, new Color(30, 40, 60)));
    g.fillRect(0, 0, 480, 320);
    g.setColor(new Color(20, 20, 20));
    g.fillRoundRect(30, 40, 420, 90, 30, 30);
    g.setColor(new Color(180, 30, 30));
    g.fillRect(20, 160, 70, 30);
    g.fillRect(390, 160, 70, 30);
    g.setColor(new Color(60, 60, 60));
    g.fillRect(0, 260, 480, 40); // bumper
    g.dispose();
    addNoise(img, rnd, 8);
    return png(img);
  }

  /**
   * dog.jpg (768x576, a car at the top right) scaled to 1280x960 with a plate of {@code text}
   * (Mercosul) on the car's rear, as JPEG: a whole frame whose vehicle carries a readable plate.
   */
  static byte[] onCar(String text) {
    try {
      BufferedImage dog = ImageIO.read(SharedData.image("dog.jpg").toFile());
      BufferedImage img = new BufferedImage(1280, 960, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(dog, 0, 0, 1280, 960, null);
      // The car is at (777, 130)-(1153, 285) at this size; the plate goes on its lower middle.
      int pw = 150;
      int ph = pw * 130 / 400;
      g.drawImage(plate(text, true, "DejaVu Sans"), 965 - pw / 2, 262 - ph, pw, ph, null);
      g.dispose();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "jpg", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Four copies of dog.jpg's car, each scaled to fill a 640x480 quarter of a 1280x960 frame, with
   * strong sensor noise, as JPEG: four large vehicle crops that do not compress well.
   */
  static byte[] fourNoisyCars(Random rnd) {
    try {
      BufferedImage dog = ImageIO.read(SharedData.image("dog.jpg").toFile());
      BufferedImage car = dog.getSubimage(450, 60, 260, 130);
      BufferedImage img = new BufferedImage(1280, 960, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      for (int i = 0; i < 4; i++) g.drawImage(car, (i % 2) * 640, (i / 2) * 480 + 80, 640, 320, null);
      g.dispose();
      addNoise(img, rnd, 30);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "jpg", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BufferedImage plate(String text, boolean mercosul, String fontName) {
    int w = 400;
    int h = 130;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    String shown;
    int top;
    if (mercosul) {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(new Color(0, 51, 153));
      g.fillRect(0, 0, w, 28);
      g.setColor(Color.WHITE);
      g.setFont(new Font("DejaVu Sans", Font.BOLD, 18));
      centre(g, "BRASIL", w, 21);
      shown = text;
      top = 28;
    } else {
      g.setColor(new Color(200, 200, 200));
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.setFont(new Font("DejaVu Sans", Font.BOLD, 16));
      centre(g, "SP - SAO PAULO", w, 20);
      shown = text.substring(0, 3) + "-" + text.substring(3);
      top = 24;
    }
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(4));
    g.drawRect(2, 2, w - 5, h - 5);
    Font font = new Font(fontName, Font.BOLD, 72);
    g.setFont(font);
    FontMetrics fm = g.getFontMetrics();
    double sx = Math.min(1.0, (w - 30.0) / fm.stringWidth(shown));
    AffineTransform old = g.getTransform();
    g.translate((w - fm.stringWidth(shown) * sx) / 2, top + (h - top + fm.getAscent() * 0.75) / 2);
    g.scale(sx, 1);
    g.drawString(shown, 0, 0);
    g.setTransform(old);
    g.dispose();
    return img;
  }

  private static void centre(Graphics2D g, String s, int w, int baseline) {
    g.drawString(s, (w - g.getFontMetrics().stringWidth(s)) / 2, baseline);
  }

  private static void addNoise(BufferedImage img, Random rnd, double sigma) {
    byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < data.length; i++) { // test fixture only: the product never loops over pixels
      int v = (data[i] & 0xFF) + (int) Math.round(rnd.nextGaussian() * sigma);
      data[i] = (byte) Math.max(0, Math.min(255, v));
    }
  }

  static byte[] png(BufferedImage img) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
