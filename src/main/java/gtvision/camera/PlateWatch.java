package gtvision.camera;

import java.util.List;

/**
 * The port through which a camera checks an object's plate against the watch list (implemented by the
 * node's watch-list view in gtvision.alerts). Called inside the camera entity's command handler, so it must
 * answer from memory at once: never block, never ask another actor.
 */
@FunctionalInterface
public interface PlateWatch {
  PlateWatch NONE = plate -> List.of();

  /** The enabled entries that {@code plate} (normalised, see {@link PlateVote#normalise}) matches, in list order. */
  List<Hit> hits(String plate);

  /** A watch-list entry a plate matched, as the alert records it (the entry may change later). */
  record Hit(String entryId, String pattern, String label) {}
}
