package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Ingestion settings that make failures and reconnects show up within seconds in tests. */
public final class IngestTestConfig {
  private IngestTestConfig() {}

  public static Config fast() {
    return ConfigFactory.parseString(String.join("\n",
        "gtv.camera.ingest.connect-timeout = 2s",
        "gtv.camera.ingest.read-timeout = 2s",
        "gtv.camera.ingest.backoff-min = 200ms",
        "gtv.camera.ingest.backoff-max = 1s",
        "gtv.camera.ingest.stats-interval = 500ms",
        "gtv.camera.ingest.stats-persist-interval = 1s"));
  }
}
