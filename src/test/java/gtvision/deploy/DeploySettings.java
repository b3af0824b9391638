package gtvision.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The application settings that the deployment files (Kubernetes, HAProxy, Terraform, Prometheus)
 * have to agree with, in one place.
 */
final class DeploySettings {

    // The application's defaults from application.conf (and its includes), read without the
    // environment so that an override on the test machine cannot hide a mismatch.
    private static final Config DEFAULTS =
            ConfigFactory.parseResources("application.conf").resolve(ConfigResolveOptions.noSystem());
    static final int HTTP_PORT = DEFAULTS.getInt("gtv.http.port");
    static final int MANAGEMENT_PORT = DEFAULTS.getInt("pekko.management.http.port");
    static final int REMOTING_PORT = DEFAULTS.getInt("pekko.remote.artery.canonical.port");
    // Where cluster.conf reads the Artery TLS key stores unless GTV_ARTERY_KEYSTORE/TRUSTSTORE say otherwise.
    static final String ARTERY_KEY_STORE = DEFAULTS.getString("pekko.remote.artery.ssl.config-ssl-engine.key-store");
    static final String ARTERY_TRUST_STORE = DEFAULTS.getString("pekko.remote.artery.ssl.config-ssl-engine.trust-store");

    // Pekko Management health-check routes on the management port (pekko-management 1.1.x).
    static final String READY_PATH = "/ready";
    static final String ALIVE_PATH = "/alive";
    static final String STARTUP_PATH = "/startup";

    // Kubernetes API discovery selects contact points by the label app=<service name>.
    static final String BOOTSTRAP_LABEL = "app";
    static final String SERVICE_NAME = "gtvision";

    private DeploySettings() {
    }

    /** The repository root: Maven runs the tests with the project base directory as working directory. */
    static Path repo() {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException("tests must run from the repository root, not " + root);
        }
        return root;
    }
}
