package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plate vote on its own: normalised texts, confidence weights, a bounded number of candidates. */
class PlateVoteTest {
  private static final int CAP = 8;

  private static RecordedDetection read(String plate, double detection, Double plateConfidence) {
    return new RecordedDetection("car", detection, List.of(0.0, 0.0, 100.0, 60.0), plate, plateConfidence);
  }

  @Test
  void textsAreUpperCaseWithoutSpacesOrDashes() {
    assertEquals("AB12CD", PlateVote.normalise("ab-12 cd"));
    assertEquals("AB12CD", PlateVote.normalise(" AB12CD "));
    assertNull(PlateVote.normalise(" - "));
    assertNull(PlateVote.normalise(null));
    assertNull(PlateVote.normalise("A".repeat(33)), "longer than a plate");
    PlateVote vote = PlateVote.EMPTY.add(read("ab-12 cd", 0.9, 0.6), CAP).add(read("AB12CD", 0.9, 0.5), CAP);
    assertEquals(1, vote.candidates().size(), "one plate however it was written");
    assertEquals(2, vote.candidates().get(0).reads());
    assertEquals(1.1, vote.candidates().get(0).weight(), 1e-9);
  }

  @Test
  void theReadersConfidenceWeighsWhenGivenElseTheDetections() {
    assertEquals(0.3, PlateVote.weight(read("AB12CD", 0.9, 0.3)), 1e-9);
    assertEquals(0.9, PlateVote.weight(read("AB12CD", 0.9, null)), 1e-9);
    assertEquals(0, PlateVote.weight(read(null, 0.9, 0.8)));
    assertEquals(0, PlateVote.weight(read("AB12CD", 0.9, Double.NaN)));
    // Two unsure reads outweigh one sure one.
    PlateVote vote = PlateVote.EMPTY.add(read("AB12CD", 0.9, 0.95), CAP)
        .add(read("A812CD", 0.9, 0.6), CAP).add(read("A812CD", 0.9, 0.6), CAP);
    assertEquals("A812CD", vote.choice());
    assertEquals("AB12CD", vote.add(read("AB12CD", 0.9, 0.4), CAP).choice(), "then a third read of the other tips it back");
  }

  @Test
  void noisyReadsConvergeOnThePlateReadMostOften() {
    Random random = new Random(7);
    String truth = "ABC1D23";
    PlateVote vote = PlateVote.EMPTY;
    int wrongAfterTen = 0;
    for (int frame = 0; frame < 200; frame++) {
      // 40 % of the frames misread one character, some of them very sure of it.
      String text = truth;
      if (random.nextDouble() < 0.4) {
        char[] c = truth.toCharArray();
        c[random.nextInt(c.length)] = (char) ('A' + random.nextInt(26));
        text = new String(c);
      }
      vote = vote.add(read(text, 0.8, 0.3 + 0.7 * random.nextDouble()), CAP);
      if (frame >= 10 && !truth.equals(vote.choice())) wrongAfterTen++;
    }
    assertEquals(truth, vote.choice());
    assertEquals(0, wrongAfterTen, "after ten frames the choice never left the true plate");
  }

  @Test
  void theVoteKeepsAtMostCapCandidatesAndNeverDropsTheLeader() {
    PlateVote vote = PlateVote.EMPTY.add(read("LEADER1", 0.9, 0.9), 3).add(read("LEADER1", 0.9, 0.9), 3);
    for (int i = 0; i < 50; i++) vote = vote.add(read("NOISE" + i, 0.9, 0.5), 3);
    assertEquals(3, vote.candidates().size());
    assertEquals("LEADER1", vote.choice());
    assertTrue(vote.candidates().stream().anyMatch(c -> c.text().equals("NOISE49")), "the newest read is in, the weakest went");
  }

  @Test
  void aDetectionWithoutAReadChangesNothing() {
    PlateVote vote = PlateVote.EMPTY.add(read("AB12CD", 0.9, 0.8), CAP);
    assertSame(vote, vote.add(read(null, 0.9, null), CAP));
    assertSame(vote, vote.add(read("AB12CD", 0.9, 0.0), CAP), "a read of confidence 0 does not count");
    assertSame(vote, vote.add((RecordedDetection) null, CAP));
  }

  @Test
  void theOrderOfEqualReadsDoesNotDecide() {
    PlateVote ab = PlateVote.EMPTY.add(read("BBB222", 0.9, 0.5), CAP).add(read("AAA111", 0.9, 0.5), CAP);
    PlateVote ba = PlateVote.EMPTY.add(read("AAA111", 0.9, 0.5), CAP).add(read("BBB222", 0.9, 0.5), CAP);
    assertEquals(ab, ba);
    assertEquals("AAA111", ab.choice());
  }
}
