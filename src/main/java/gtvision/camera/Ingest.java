package gtvision.camera;

import org.apache.pekko.actor.typed.ActorSystem;

/** What a node's cameras need to run their streams: settings, meters and the analyser. */
public record Ingest(IngestSettings settings, IngestMetrics metrics, FrameAnalyser analyser) {

  public static Ingest create(ActorSystem<?> system, IngestMetrics metrics, FrameAnalyser analyser) {
    return new Ingest(IngestSettings.from(system.settings().config()), metrics, analyser);
  }
}
