package gtvision.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The application settings that the deployment files (Kubernetes, HAProxy, Terraform, Prometheus)
 * have to agree with, in one place.
 */
final class DeploySettings {

    // Defaults of src/main/resources/application.conf: gtv.http.port,
    // pekko.management.http.port and pekko.remote.artery.canonical.port. Hard-coded until that file
    // exists on this branch; then these three read the loaded config instead.
    static final int HTTP_PORT = 8080;
    static final int MANAGEMENT_PORT = 7626;
    static final int REMOTING_PORT = 7355;

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
