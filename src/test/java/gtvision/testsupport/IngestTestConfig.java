package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Ingestion settings that make failures and reconnects show up within seconds in tests. */
public final class IngestTestConfig {
  private IngestTestConfig() {}

  public static Config fast() {
    return ConfigFactory.parseString(String.join("\n",
        "gtv.camera.stream.connect-timeout = 2s",
        "gtv.camera.stream.read-timeout = 2s",
        "gtv.camera.stream.backoff-min = 200ms",
        "gtv.camera.stream.backoff-max = 1s",
        "gtv.camera.stream.stats-interval = 500ms",
        "gtv.camera.stream.stats-persist-interval = 1s"));
  }
}
